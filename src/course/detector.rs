//! A trained YOLO-style detector as one pipeline (lectures 29-31): image → letterbox → tract →
//! decode → non-max suppression, keeping every stage for the page to show step by step. The
//! shapes detector, the face detector and the face widgets all go through it.

use anyhow::{ensure, Result};

use crate::core::engine::Model;
use crate::core::geometry::shape_text;
use crate::core::image::letterbox;
use crate::course::detect::{nms_trace, yolo_decode, Detection, GridSpec, NmsTrace};

/// The grid of face-api's Tiny Face Detector (`www/models/face-detector.onnx`): 13×13 cells over a
/// 416×416 input, five anchors in cells (face-api's `tinyFaceDetector` constants), no classes. The
/// converter (`examples/convert_face_detector.rs`) writes these into the model's JSON sidecar.
pub fn face_detector_spec() -> GridSpec {
    GridSpec {
        grid: 13,
        anchors: vec![
            (1.603231, 2.094468),
            (6.041143, 7.080126),
            (2.882459, 3.518061),
            (4.266906, 5.178857),
            (9.041765, 10.66308),
        ],
        classes: 0,
    }
}

/// A loaded detection model with its grid (cells, anchors, classes).
pub struct Detector {
    model: Model,
    spec: GridSpec,
}

/// One image through the detector, every stage kept.
#[derive(Clone, Debug, PartialEq)]
pub struct DetectionRun {
    /// Stage 1: every cell and anchor's prediction ([`yolo_decode`]), `S · S · A` of them, boxes in
    /// fractions of the detector's (square) input.
    pub detections: Vec<Detection>,
    /// Stages 2 and 3: the score filter and non-max suppression, per class (boxes of different
    /// classes never suppress each other; a detector without classes has one).
    pub trace: NmsTrace,
}

impl DetectionRun {
    /// The detections kept by non-max suppression, best first.
    pub fn kept(&self) -> Vec<&Detection> {
        self.trace
            .steps
            .iter()
            .map(|s| &self.detections[s.kept])
            .collect()
    }
}

impl Detector {
    /// A detector running `model` (one input `[1, 3, n, n]`, one output `[1, A·(5 + C), S, S]`)
    /// whose output is read with `spec`. Errors name the shapes when they do not fit.
    pub fn new(model: Model, spec: GridSpec) -> Result<Self> {
        spec.validate()?;
        let input = model.input_shape();
        ensure!(
            matches!(input, [1, 3, h, w] if h == w),
            "a detector needs a square RGB input [1, 3, n, n], not {}",
            shape_text(input)
        );
        let (s, fields) = (spec.grid, spec.anchors.len() * spec.fields());
        let output = model.output_shape();
        ensure!(
            output == [1, fields, s, s],
            "the model's output {} does not fit a {s}×{s} grid with {} anchors and {} classes, which needs [1, {fields}, {s}, {s}]",
            shape_text(output),
            spec.anchors.len(),
            spec.classes
        );
        Ok(Detector { model, spec })
    }

    /// The side `n` of the square input.
    pub fn input_size(&self) -> usize {
        self.model.input_shape()[2]
    }

    /// The grid, anchors and classes.
    pub fn spec(&self) -> &GridSpec {
        &self.spec
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Runs the detector on a tensor `[1, 3, n, n]` (values in 0..1), decodes its output and keeps
    /// the boxes with score > `score_threshold` that no better box of their class overlaps with
    /// IoU ≥ `iou_threshold`.
    pub fn detect(
        &self,
        input: &[f32],
        score_threshold: f32,
        iou_threshold: f32,
    ) -> Result<DetectionRun> {
        let out = self.model.run(input)?;
        let detections = yolo_decode(&self.spec, &out.data, &out.shape)?;
        let boxes: Vec<_> = detections.iter().map(|d| d.bbox).collect();
        let scores: Vec<f32> = detections.iter().map(|d| d.score).collect();
        let classes: Vec<u32> = detections.iter().map(|d| d.class).collect();
        let trace = nms_trace(
            &boxes,
            &scores,
            Some(&classes),
            score_threshold,
            iou_threshold,
        )?;
        Ok(DetectionRun { detections, trace })
    }

    /// [`Detector::detect`] on `width × height` RGBA bytes, letterboxed into the input square
    /// ([`letterbox`]: scaled with its aspect ratio kept, at the top-left). Boxes are fractions of
    /// that square, whose side is the image's longer side.
    pub fn detect_rgba(
        &self,
        rgba: &[u8],
        width: usize,
        height: usize,
        score_threshold: f32,
        iou_threshold: f32,
    ) -> Result<DetectionRun> {
        let input = letterbox(rgba, width, height, self.input_size())?;
        self.detect(&input, score_threshold, iou_threshold)
    }
}
