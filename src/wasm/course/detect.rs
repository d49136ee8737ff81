//! Detection ([`crate::course::detect`], [`crate::course::detector`]): boxes, IoU, non-max
//! suppression, localisation and YOLO targets, decoding, and the `Detector` pipeline.

use js_sys::{Array, Float32Array, Object, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::course::detect::{BBox, GridSpec, NmsTrace, Object as Obj};
use crate::course::{detect, detector, scenes};
use crate::wasm::convert::*;
use crate::wasm::{core_error, JsResult};

/// `[x1, y1, x2, y2]` → a checked box.
fn bbox(name: &str, v: &JsValue) -> JsResult<BBox> {
    let c = floats(name, v)?;
    if c.len() != 4 {
        return Err(JsError::new(&format!(
            "{name} must be [x1, y1, x2, y2] (4 numbers), got {} numbers",
            c.len()
        )));
    }
    BBox::new(c[0], c[1], c[2], c[3]).map_err(core_error)
}

/// `n·4` corners → `n` boxes.
fn boxes(v: &JsValue) -> JsResult<Vec<BBox>> {
    corners("boxes", v)?
        .into_iter()
        .map(|[x1, y1, x2, y2]| BBox::new(x1, y1, x2, y2).map_err(core_error))
        .collect()
}

fn classes(v: &JsValue) -> JsResult<Vec<u32>> {
    Ok(dims("classes", v, "an array of class indices")?
        .into_iter()
        .map(|c| c as u32)
        .collect())
}

fn indices(list: &[usize]) -> Uint32Array {
    let v: Vec<u32> = list.iter().map(|&i| i as u32).collect();
    Uint32Array::from(v.as_slice())
}

/// Intersection over union of two boxes `[x1, y1, x2, y2]` (lecture 28); 0 for boxes that only
/// touch.
#[wasm_bindgen(js_name = iou)]
pub fn iou(a: JsValue, b: JsValue) -> JsResult<f32> {
    Ok(detect::iou(&bbox("a", &a)?, &bbox("b", &b)?))
}

/// `{ intersection, union, iou, overlap: [x1, y1, x2, y2] | null }` of two boxes, for showing how
/// the IoU is made (`overlap` is the intersection box, `null` when the boxes only touch or miss).
#[wasm_bindgen(js_name = iouParts)]
pub fn iou_parts(a: JsValue, b: JsValue) -> JsResult<JsValue> {
    let (a, b) = (bbox("a", &a)?, bbox("b", &b)?);
    let p = detect::iou_parts(&a, &b);
    let obj = Object::new();
    let overlap = a.intersection(&b).map_or(JsValue::NULL, |o| {
        Float32Array::from(&[o.x1, o.y1, o.x2, o.y2][..]).into()
    });
    set(&obj, "overlap", overlap)?;
    set(&obj, "intersection", p.intersection)?;
    set(&obj, "union", p.union)?;
    set(&obj, "iou", p.iou)?;
    Ok(obj.into())
}

/// Class-agnostic non-max suppression: `boxes` (`n·4` corners), `scores` (`n`) → the kept
/// indices as a `Uint32Array` in descending score order. Keeps scores above `scoreThreshold`,
/// suppresses IoU ≥ `iouThreshold`; NaN scores are never kept.
#[wasm_bindgen(js_name = nonMaxSuppression)]
pub fn non_max_suppression(
    boxes_: JsValue,
    scores: JsValue,
    score_threshold: JsValue,
    iou_threshold: JsValue,
) -> JsResult<Uint32Array> {
    let kept = detect::non_max_suppression(
        &boxes(&boxes_)?,
        &floats("scores", &scores)?,
        number("scoreThreshold", &score_threshold)?,
        number("iouThreshold", &iou_threshold)?,
    )
    .map_err(core_error)?;
    Ok(indices(&kept))
}

/// Per-class non-max suppression: as [`non_max_suppression`] with `classes` (`n` class indices);
/// boxes of different classes never suppress each other.
#[wasm_bindgen(js_name = nonMaxSuppressionPerClass)]
pub fn non_max_suppression_per_class(
    boxes_: JsValue,
    scores: JsValue,
    classes_: JsValue,
    score_threshold: JsValue,
    iou_threshold: JsValue,
) -> JsResult<Uint32Array> {
    let kept = detect::non_max_suppression_per_class(
        &boxes(&boxes_)?,
        &floats("scores", &scores)?,
        &classes(&classes_)?,
        number("scoreThreshold", &score_threshold)?,
        number("iouThreshold", &iou_threshold)?,
    )
    .map_err(core_error)?;
    Ok(indices(&kept))
}

fn trace_object(t: &NmsTrace) -> JsResult<JsValue> {
    let obj = Object::new();
    fill_trace(&obj, t)?;
    Ok(obj.into())
}

/// Sets `belowThreshold` and `steps` of `obj` from `t` (see `nmsSteps`).
fn fill_trace(obj: &Object, t: &NmsTrace) -> JsResult<()> {
    set(obj, "belowThreshold", indices(&t.below_threshold))?;
    let steps = Array::new();
    for s in &t.steps {
        let so = Object::new();
        set(&so, "kept", s.kept as f64)?;
        let gone = Array::new();
        for &(i, overlap) in &s.suppressed {
            let g = Object::new();
            set(&g, "index", i as f64)?;
            set(&g, "iou", overlap)?;
            gone.push(&g);
        }
        set(&so, "suppressed", gone)?;
        steps.push(&so);
    }
    set(obj, "steps", steps)
}

/// Non-max suppression step by step: `{ belowThreshold: Uint32Array, steps: [{ kept, suppressed:
/// [{ index, iou }] }] }`; `classes` may be `null` for class-agnostic suppression.
#[wasm_bindgen(js_name = nmsSteps)]
pub fn nms_steps(
    boxes_: JsValue,
    scores: JsValue,
    classes_: JsValue,
    score_threshold: JsValue,
    iou_threshold: JsValue,
) -> JsResult<JsValue> {
    let classes = if is_missing(&classes_) {
        None
    } else {
        Some(classes(&classes_)?)
    };
    let trace = detect::nms_trace(
        &boxes(&boxes_)?,
        &floats("scores", &scores)?,
        classes.as_deref(),
        number("scoreThreshold", &score_threshold)?,
        number("iouThreshold", &iou_threshold)?,
    )
    .map_err(core_error)?;
    trace_object(&trace)
}

/// Lecture 23's target `[p_c, b_x, b_y, b_h, b_w, c_1, …]` for one object (`box` in image
/// fractions, `cls` its class) or none (`box = null`): an array with `null` for "don't care".
#[wasm_bindgen(js_name = localizationTarget)]
pub fn localization_target(bbox_: JsValue, cls: JsValue, classes: JsValue) -> JsResult<Array> {
    let classes = whole("classes", &classes)?;
    let object = if is_missing(&bbox_) {
        None
    } else {
        Some(Obj {
            bbox: bbox("box", &bbox_)?,
            class: whole("cls", &cls)?,
        })
    };
    let y = detect::localization_target(object.as_ref(), classes).map_err(core_error)?;
    Ok(y.iter()
        .map(|v| v.map_or(JsValue::NULL, |x| JsValue::from_f64(x as f64)))
        .collect())
}

/// Lecture 23's squared-error loss of `prediction` against `target` (as returned by
/// [`localization_target`]): all components with an object, only `p_c` without.
#[wasm_bindgen(js_name = localizationLoss)]
pub fn localization_loss(prediction: JsValue, target: JsValue) -> JsResult<f32> {
    let prediction = floats("prediction", &prediction)?;
    if !Array::is_array(&target) {
        return Err(JsError::new(&format!(
            "target must be an array, got {}",
            type_name(&target)
        )));
    }
    let target: Vec<Option<f32>> = items("target", &target)?
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            if v.is_null() {
                Ok(None)
            } else {
                number(&format!("target[{i}]"), &v).map(Some)
            }
        })
        .collect::<JsResult<_>>()?;
    detect::localization_loss(&prediction, &target).map_err(core_error)
}

/// `{ grid, anchors: [[w, h], …] (grid cells), classes }` → a checked grid.
fn grid_spec(options: &JsValue, what: &str) -> JsResult<GridSpec> {
    options_object(options, what)?;
    let anchors_value = field(options, "anchors");
    if !Array::is_array(&anchors_value) {
        return Err(JsError::new(&format!(
            "anchors must be an array of [width, height] pairs, got {}",
            type_name(&anchors_value)
        )));
    }
    let anchors = items("anchors", &anchors_value)?
        .into_iter()
        .enumerate()
        .map(|(i, pair)| {
            let v = floats(&format!("anchors[{i}]"), &pair)?;
            match v[..] {
                [w, h] => Ok((w, h)),
                _ => Err(JsError::new(&format!(
                    "anchors[{i}] must be [width, height], got {} numbers",
                    v.len()
                ))),
            }
        })
        .collect::<JsResult<Vec<_>>>()?;
    let spec = GridSpec {
        grid: whole("grid", &field(options, "grid"))?,
        anchors,
        classes: whole("classes", &field(options, "classes"))?,
    };
    spec.validate().map_err(core_error)?;
    Ok(spec)
}

/// The YOLO training target (lectures 27, 30, 31) for `{ grid, anchors, classes, objects: [{ box:
/// [x1, y1, x2, y2] (image fractions), class }] }`: `{ shape: [S, S, A, 5 + C], data:
/// Float32Array, assignments: [{ object, row, col, anchor, anchorIou, values, stored }],
/// conflicts: [{ row, col, objects, reason }] }`.
#[wasm_bindgen(js_name = yoloTarget)]
pub fn yolo_target(options: JsValue) -> JsResult<JsValue> {
    let spec = grid_spec(&options, "yoloTarget")?;
    let list = field(&options, "objects");
    if !Array::is_array(&list) {
        return Err(JsError::new(&format!(
            "objects must be an array of {{ box, class }}, got {}",
            type_name(&list)
        )));
    }
    let objects = items("objects", &list)?
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            Ok(Obj {
                bbox: bbox(&format!("objects[{i}].box"), &field(&o, "box"))?,
                class: whole(&format!("objects[{i}].class"), &field(&o, "class"))?,
            })
        })
        .collect::<JsResult<Vec<_>>>()?;
    let t = detect::yolo_target(&spec, &objects).map_err(core_error)?;
    let obj = Object::new();
    set(&obj, "shape", usizes(&t.shape))?;
    set(&obj, "data", Float32Array::from(t.data.as_slice()))?;
    let assignments = Array::new();
    for a in &t.assignments {
        let ao = Object::new();
        set(&ao, "object", a.object as f64)?;
        set(&ao, "row", a.row as f64)?;
        set(&ao, "col", a.col as f64)?;
        set(&ao, "anchor", a.anchor as f64)?;
        set(&ao, "anchorIou", a.anchor_iou)?;
        set(&ao, "values", Float32Array::from(a.values.as_slice()))?;
        set(&ao, "stored", a.stored)?;
        assignments.push(&ao);
    }
    set(&obj, "assignments", assignments)?;
    let conflicts = Array::new();
    for c in &t.conflicts {
        let co = Object::new();
        set(&co, "row", c.row as f64)?;
        set(&co, "col", c.col as f64)?;
        set(&co, "objects", usizes(&c.objects))?;
        set(&co, "reason", c.reason.as_str())?;
        conflicts.push(&co);
    }
    set(&obj, "conflicts", conflicts)?;
    Ok(obj.into())
}

/// Decodes a YOLO model's raw output (`output` of `shape` `[1, A·(5 + C), S, S]` or without the
/// batch) for `{ grid, anchors, classes }` into one detection per cell and anchor: `{ boxes:
/// Float32Array (n·4, image fractions), scores, objectness, classProbability: Float32Array (n),
/// classes: Uint32Array (n), cells: Uint32Array (n·3: row, column, anchor) }`.
#[wasm_bindgen(js_name = yoloDecode)]
pub fn yolo_decode(output: JsValue, shape: JsValue, options: JsValue) -> JsResult<JsValue> {
    let spec = grid_spec(&options, "yoloDecode")?;
    let data = floats("output", &output)?;
    let shape = dims("shape", &shape, "the output's shape")?;
    let found = detect::yolo_decode(&spec, &data, &shape).map_err(core_error)?;
    detections_object(&found).map(Into::into)
}

/// Detections as parallel typed arrays (see [`yolo_decode`]).
pub(crate) fn detections_object(found: &[detect::Detection]) -> JsResult<Object> {
    let corners: Vec<f32> = found
        .iter()
        .flat_map(|d| [d.bbox.x1, d.bbox.y1, d.bbox.x2, d.bbox.y2])
        .collect();
    let pick = |f: fn(&detect::Detection) -> f32| -> Vec<f32> { found.iter().map(f).collect() };
    let cells: Vec<u32> = found
        .iter()
        .flat_map(|d| [d.cell.0 as u32, d.cell.1 as u32, d.cell.2 as u32])
        .collect();
    let classes: Vec<u32> = found.iter().map(|d| d.class).collect();
    let obj = Object::new();
    set(&obj, "boxes", Float32Array::from(corners.as_slice()))?;
    set(
        &obj,
        "scores",
        Float32Array::from(pick(|d| d.score).as_slice()),
    )?;
    set(
        &obj,
        "objectness",
        Float32Array::from(pick(|d| d.objectness).as_slice()),
    )?;
    set(
        &obj,
        "classProbability",
        Float32Array::from(pick(|d| d.class_probability).as_slice()),
    )?;
    set(&obj, "classes", Uint32Array::from(classes.as_slice()))?;
    set(&obj, "cells", Uint32Array::from(cells.as_slice()))?;
    Ok(obj)
}

/// The index of the smallest box (`n·4` corners) containing the point `(x, y)`, or -1: what a
/// click on a scene picks.
#[wasm_bindgen(js_name = objectAt)]
pub fn object_at(boxes_: JsValue, x: JsValue, y: JsValue) -> JsResult<f64> {
    let found = detect::object_at(&boxes(&boxes_)?, number("x", &x)?, number("y", &y)?);
    Ok(found.map_or(-1.0, |i| i as f64))
}

fn spec_object(spec: &GridSpec) -> JsResult<Object> {
    let obj = Object::new();
    set(&obj, "grid", spec.grid as f64)?;
    let anchors = Array::new();
    for &(w, h) in &spec.anchors {
        anchors.push(&numbers([w as f64, h as f64]));
    }
    set(&obj, "anchors", anchors)?;
    set(&obj, "classes", spec.classes as f64)?;
    Ok(obj)
}

/// A trained detector as one pipeline (lectures 29-31): image → letterbox → tract → decode →
/// non-max suppression per class, every stage returned for the page to draw.
#[wasm_bindgen(js_name = Detector)]
pub struct JsDetector {
    detector: detector::Detector,
}

impl std::fmt::Debug for JsDetector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Detector {:?}", self.detector.spec())
    }
}

#[wasm_bindgen(js_class = Detector)]
impl JsDetector {
    /// Loads the detector `kind` from its ONNX bytes: `"shapes"` (the shapes detector, its grid
    /// and anchors from `scenes::detector_spec`) or `"face"` (face-api's Tiny Face Detector,
    /// `detector::face_detector_spec`).
    #[wasm_bindgen(constructor)]
    pub fn new(model: JsValue, kind: JsValue) -> JsResult<JsDetector> {
        let spec = match kind.as_string().as_deref() {
            Some("shapes") => scenes::detector_spec(),
            Some("face") => detector::face_detector_spec(),
            _ => {
                return Err(JsError::new(&format!(
                    "the detector kind must be \"shapes\" or \"face\", got {}",
                    type_name(&kind)
                )))
            }
        };
        let model =
            crate::core::engine::Model::load(&bytes("model", &model)?).map_err(core_error)?;
        Ok(JsDetector {
            detector: detector::Detector::new(model, spec).map_err(core_error)?,
        })
    }

    /// The side of the square input, e.g. 416.
    #[wasm_bindgen(js_name = inputSize)]
    pub fn input_size(&self) -> f64 {
        self.detector.input_size() as f64
    }

    /// `{ grid, anchors: [[w, h]…] (cells), classes }`.
    pub fn spec(&self) -> JsResult<Object> {
        spec_object(self.detector.spec())
    }

    /// Runs the detector on a tensor `[3, n, n]` (0..1): `yoloDecode`'s fields (`boxes`, `scores`,
    /// `classes`, `cells`, …: every cell and anchor) with `nmsSteps`' (`belowThreshold`, `steps`)
    /// and `kept` (`Uint32Array`, best first).
    pub fn detect(
        &self,
        tensor: JsValue,
        score_threshold: JsValue,
        iou_threshold: JsValue,
    ) -> JsResult<JsValue> {
        let run = self
            .detector
            .detect(
                &floats("tensor", &tensor)?,
                number("scoreThreshold", &score_threshold)?,
                number("iouThreshold", &iou_threshold)?,
            )
            .map_err(core_error)?;
        run_object(&run)
    }

    /// [`JsDetector::detect`] on `width × height` RGBA bytes, letterboxed into the input square;
    /// boxes are fractions of that square (side = the image's longer side).
    #[wasm_bindgen(js_name = detectRgba)]
    pub fn detect_rgba(
        &self,
        rgba: JsValue,
        width: JsValue,
        height: JsValue,
        score_threshold: JsValue,
        iou_threshold: JsValue,
    ) -> JsResult<JsValue> {
        let run = self
            .detector
            .detect_rgba(
                &bytes("rgba", &rgba)?,
                whole("width", &width)?,
                whole("height", &height)?,
                number("scoreThreshold", &score_threshold)?,
                number("iouThreshold", &iou_threshold)?,
            )
            .map_err(core_error)?;
        run_object(&run)
    }
}

fn run_object(run: &detector::DetectionRun) -> JsResult<JsValue> {
    let obj = detections_object(&run.detections)?;
    fill_trace(&obj, &run.trace)?;
    let kept: Vec<u32> = run.trace.steps.iter().map(|s| s.kept as u32).collect();
    set(&obj, "kept", Uint32Array::from(kept.as_slice()))?;
    Ok(obj.into())
}
