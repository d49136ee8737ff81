//! Faces ([`crate::course::faces`], lectures 24 and 33-36): the 68-point `Landmarker`, and the
//! `FacePipeline` (detector → landmarks → alignment → encoder) with lecture 24's alignment study.

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::core::engine::Model;
use crate::course::detector::{face_detector_spec, Detector};
use crate::course::faces::{self, Cropping, Landmarker, PARTS};
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

fn load(name: &str, v: &JsValue) -> JsResult<Model> {
    Model::load(&bytes(name, v)?).map_err(core_error)
}

fn flat_points(points: &[[f32; 2]]) -> Float32Array {
    let flat: Vec<f32> = points.iter().flatten().copied().collect();
    Float32Array::from(flat.as_slice())
}

/// The parts of the face among the 68 landmarks, in the network's order:
/// `[{ name, start, end, closed }]` (points `start..end`; `closed` outlines go round).
#[wasm_bindgen(js_name = faceParts)]
pub fn face_parts() -> JsResult<Array> {
    let list = Array::new();
    for (name, range, closed) in PARTS {
        let part = Object::new();
        set(&part, "name", name)?;
        set(&part, "start", range.start as f64)?;
        set(&part, "end", range.end as f64)?;
        set(&part, "closed", closed)?;
        list.push(&part);
    }
    Ok(list)
}

/// face-api's 68-point landmark network (lecture 24).
#[wasm_bindgen(js_name = Landmarker)]
pub struct JsLandmarker {
    landmarker: Landmarker,
}

impl std::fmt::Debug for JsLandmarker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Landmarker")
    }
}

#[wasm_bindgen(js_class = Landmarker)]
impl JsLandmarker {
    /// Loads the landmark network from its ONNX bytes (input `[1, 3, 112, 112]`, output
    /// `[1, 136]`).
    #[wasm_bindgen(constructor)]
    pub fn new(model: JsValue) -> JsResult<JsLandmarker> {
        Ok(JsLandmarker {
            landmarker: Landmarker::new(load("model", &model)?).map_err(core_error)?,
        })
    }

    /// The 68 points of the face in each box (`n·4` corners in pixels of `width × height` RGBA
    /// bytes): `Float32Array` of `n·136` numbers, `x, y` of each point in image pixels.
    pub fn locate(
        &self,
        rgba: JsValue,
        width: JsValue,
        height: JsValue,
        boxes: JsValue,
    ) -> JsResult<Float32Array> {
        let (rgba, width, height) = (
            bytes("rgba", &rgba)?,
            whole("width", &width)?,
            whole("height", &height)?,
        );
        let all = self
            .landmarker
            .locate_all(&rgba, width, height, &corners("boxes", &boxes)?)
            .map_err(core_error)?;
        Ok(flat_points(&all))
    }
}

/// Detector, landmark network and face encoder as one pipeline (lectures 24 and 33-36).
#[wasm_bindgen(js_name = FacePipeline)]
pub struct JsFacePipeline {
    pipeline: faces::FacePipeline,
}

impl std::fmt::Debug for JsFacePipeline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FacePipeline")
    }
}

#[wasm_bindgen(js_class = FacePipeline)]
impl JsFacePipeline {
    /// Loads the three networks from their ONNX bytes: face-api's Tiny Face Detector, its
    /// landmark network and its face recognition network (`www/models/face-*.onnx`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        detector: JsValue,
        landmarks: JsValue,
        encoder: JsValue,
    ) -> JsResult<JsFacePipeline> {
        let detector = Detector::new(load("detector", &detector)?, face_detector_spec())
            .map_err(core_error)?;
        let landmarker = Landmarker::new(load("landmarks", &landmarks)?).map_err(core_error)?;
        let pipeline = faces::FacePipeline::new(detector, landmarker, load("encoder", &encoder)?)
            .map_err(core_error)?;
        Ok(JsFacePipeline { pipeline })
    }

    /// The faces of `width × height` RGBA bytes, best first, found at score 0.5 and IoU 0.4 and
    /// cropped `aligned` (on the landmarks) or not (the square around the detector's box):
    /// `{ count, boxes (n·4 pixels), scores (n), points (n·136 pixels), angles (n, degrees),
    /// crops (n·3·150·150, 0..1), encodings (n·128) }`.
    pub fn find(
        &self,
        rgba: JsValue,
        width: JsValue,
        height: JsValue,
        aligned: JsValue,
    ) -> JsResult<Object> {
        let Some(aligned) = aligned.as_bool() else {
            return Err(JsError::new(&format!(
                "aligned must be true or false, got {}",
                type_name(&aligned)
            )));
        };
        let found = self
            .pipeline
            .find(
                &bytes("rgba", &rgba)?,
                whole("width", &width)?,
                whole("height", &height)?,
                0.5,
                0.4,
                if aligned {
                    Cropping::Aligned
                } else {
                    Cropping::Square
                },
            )
            .map_err(core_error)?;
        let flat = |f: &dyn Fn(&faces::Face) -> Vec<f32>| -> Float32Array {
            Float32Array::from(found.iter().flat_map(f).collect::<Vec<_>>().as_slice())
        };
        let obj = Object::new();
        set(&obj, "count", found.len() as f64)?;
        set(&obj, "boxes", flat(&|f| f.bbox.to_vec()))?;
        set(&obj, "scores", flat(&|f| vec![f.score]))?;
        set(
            &obj,
            "points",
            flat(&|f| f.points.iter().flatten().copied().collect()),
        )?;
        set(&obj, "angles", flat(&|f| vec![f.alignment.angle_degrees]))?;
        set(&obj, "crops", flat(&|f| f.crop.clone()))?;
        set(&obj, "encodings", flat(&|f| f.encoding.clone()))?;
        Ok(obj)
    }

    /// `d` between the best faces of two RGBA images (`a` is `aWidth × aHeight`, `b` likewise),
    /// with square and with aligned crops: `{ square, aligned }`, or `null` when either has no face.
    pub fn compare(
        &self,
        a: JsValue,
        a_width: JsValue,
        a_height: JsValue,
        b: JsValue,
        b_width: JsValue,
        b_height: JsValue,
    ) -> JsResult<JsValue> {
        let (a, b) = (bytes("a", &a)?, bytes("b", &b)?);
        let found = self
            .pipeline
            .compare(
                (&a, whole("aWidth", &a_width)?, whole("aHeight", &a_height)?),
                (&b, whole("bWidth", &b_width)?, whole("bHeight", &b_height)?),
            )
            .map_err(core_error)?;
        let Some((square, aligned)) = found else {
            return Ok(JsValue::NULL);
        };
        let obj = Object::new();
        set(&obj, "square", square)?;
        set(&obj, "aligned", aligned)?;
        Ok(obj.into())
    }

    /// Lecture 24's measurement on a square photo (`side × side` RGBA bytes with one face): the
    /// photo turned, shrunk and mirrored, each variant's encoding against the original's with
    /// square and with aligned crops, and, given another person's photo (`other`, `otherWidth ×
    /// otherHeight` RGBA bytes; all three may be left out), a last row for them:
    /// `[{ variant, samePerson, measuredAngle, square, aligned }]` (`d`, or `null` where no face
    /// was found).
    #[wasm_bindgen(js_name = alignmentStudy)]
    pub fn alignment_study(
        &self,
        rgba: JsValue,
        side: JsValue,
        other: JsValue,
        other_width: JsValue,
        other_height: JsValue,
    ) -> JsResult<Array> {
        let other = if is_missing(&other) {
            None
        } else {
            Some((
                bytes("other", &other)?,
                whole("otherWidth", &other_width)?,
                whole("otherHeight", &other_height)?,
            ))
        };
        let rows = self
            .pipeline
            .alignment_study(
                &bytes("rgba", &rgba)?,
                whole("side", &side)?,
                other.as_ref().map(|(b, w, h)| (b.as_slice(), *w, *h)),
            )
            .map_err(core_error)?;
        let list = Array::new();
        for r in rows {
            let row = Object::new();
            set(&row, "variant", r.variant.as_str())?;
            set(&row, "samePerson", r.same_person)?;
            set(&row, "measuredAngle", r.measured_angle)?;
            let d = |v: Option<f32>| v.map_or(JsValue::NULL, |d| JsValue::from_f64(d as f64));
            set(&row, "square", d(r.square))?;
            set(&row, "aligned", d(r.aligned))?;
            list.push(&row);
        }
        Ok(list)
    }
}
