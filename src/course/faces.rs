//! Faces from photo to encoding (lectures 24 and 33-36): detect (face-api's Tiny Face Detector),
//! find 68 landmarks in each face (face-api's landmark network), align the face on its eyes and
//! mouth, and encode it (face-api's face recognition network), in one Rust pipeline that keeps
//! every stage for the page to draw.
//!
//! Points are image pixels, origin top-left, `x` to the right and `y` down; the 68 points follow
//! the iBUG 300-W order ([`PARTS`]).

use std::ops::Range;

use anyhow::{ensure, Result};

use crate::core::engine::Model;
use crate::core::geometry::{shape_text, MAX_SIDE};
use crate::core::image::{mirror, rgb_to_rgba, rgba_to_chw, similarity_crop, square_crop};
use crate::course::detector::Detector;
use crate::course::embedding::squared_distance;

/// The side of the landmark network's square input (`www/models/face-landmarks.onnx`).
pub const LANDMARK_INPUT: usize = 112;
/// The landmark network's points per face.
pub const POINTS: usize = 68;
/// Most faces the landmark network is asked about in one call ([`Landmarker::locate_all`]).
pub const MAX_FACES: usize = 100;
/// The side of the face encoder's square input (`www/models/face-encoder.onnx`).
pub const ENCODER_INPUT: usize = 150;

/// The parts of the face among the 68 points (iBUG 300-W order, the order of face-api's network),
/// and whether each is drawn as a closed outline. The one list the page draws them from.
pub const PARTS: [(&str, Range<usize>, bool); 9] = [
    ("jaw", 0..17, false),
    ("left brow", 17..22, false),
    ("right brow", 22..27, false),
    ("nose bridge", 27..31, false),
    ("nose", 31..36, false),
    ("left eye", 36..42, true),
    ("right eye", 42..48, true),
    ("outer lips", 48..60, true),
    ("inner lips", 60..68, true),
];

/// The rule that places a face in its aligned crop: the mean of the eye centres and the mouth
/// centre lands at `(CENTRE_X, CENTRE_Y)` of the crop, and the crop's side is the mean
/// eye-to-mouth distance divided by `EYE_TO_MOUTH`. These are face-api's own alignment constants
/// (`FaceLandmarks.alignDlib`: `relX`, `relY`, `relScale`), which its `withFaceDescriptors` uses
/// to crop faces for the recognition network; face-api does not turn the face, this crate also
/// turns it so the eyes are level.
const CENTRE_X: f32 = 0.5;
const CENTRE_Y: f32 = 0.43;
const EYE_TO_MOUTH: f32 = 0.45;

/// The landmark network (a loaded model with input `[1, 3, 112, 112]` and output `[1, 136]`).
pub struct Landmarker {
    model: Model,
}

impl Landmarker {
    /// Wraps `model`; errors name its shapes when they are not the landmark network's.
    pub fn new(model: Model) -> Result<Self> {
        let (input, output) = (model.input_shape(), model.output_shape());
        ensure!(
            input == [1, 3, LANDMARK_INPUT, LANDMARK_INPUT] && output == [1, 2 * POINTS],
            "a landmark network takes [1, 3, {LANDMARK_INPUT}, {LANDMARK_INPUT}] and gives [1, {}], not {} → {}",
            2 * POINTS,
            shape_text(input),
            shape_text(output)
        );
        Ok(Landmarker { model })
    }

    /// The 68 points of the face in box `[x1, y1, x2, y2]` (pixels of a `width × height` RGBA
    /// image): the network runs on the box's [`square_crop`] at 112×112 and its outputs, fractions
    /// of that square, become image pixels ([`points_in_image`]).
    pub fn locate(
        &self,
        rgba: &[u8],
        width: usize,
        height: usize,
        bbox: [f32; 4],
    ) -> Result<Vec<[f32; 2]>> {
        let crop = square_crop(rgba, width, height, bbox, LANDMARK_INPUT)?;
        let out = self.model.run(&crop)?;
        points_in_image(&out.data, bbox)
    }

    /// [`Landmarker::locate`] for each of `boxes`, the points one face after the other. Errors
    /// for more than [`MAX_FACES`] boxes, before running anything.
    pub fn locate_all(
        &self,
        rgba: &[u8],
        width: usize,
        height: usize,
        boxes: &[[f32; 4]],
    ) -> Result<Vec<[f32; 2]>> {
        ensure!(
            boxes.len() <= MAX_FACES,
            "{} boxes are more faces than the landmark network looks at in one call ({MAX_FACES})",
            boxes.len()
        );
        let mut all = Vec::with_capacity(boxes.len() * POINTS);
        for &b in boxes {
            all.extend(self.locate(rgba, width, height, b)?);
        }
        Ok(all)
    }
}

/// The landmark network's 136 outputs `x0, y0, x1, y1, …` (fractions of the square around
/// `bbox`, as [`square_crop`] takes it: side `s = max(x2 − x1, y2 − y1)`, centred on the box) as
/// 68 image points: `(left + x·s, top + y·s)`.
pub fn points_in_image(output: &[f32], bbox: [f32; 4]) -> Result<Vec<[f32; 2]>> {
    ensure!(
        output.len() == 2 * POINTS,
        "a landmark network gives {} numbers (x and y of {POINTS} points), not {}",
        2 * POINTS,
        output.len()
    );
    let [x1, y1, x2, y2] = bbox;
    let side = (x2 - x1).max(y2 - y1);
    let (left, top) = ((x1 + x2 - side) / 2.0, (y1 + y2 - side) / 2.0);
    Ok(output
        .chunks_exact(2)
        .map(|p| [left + p[0] * side, top + p[1] * side])
        .collect())
}

/// How a face is turned, scaled and placed in its aligned crop, and the points that decide it.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    /// The centres of the left eye (points 36-41), the right eye (42-47) and the mouth (48-67).
    pub left_eye: [f32; 2],
    pub right_eye: [f32; 2],
    pub mouth: [f32; 2],
    /// The eye line's angle from the horizontal, degrees (positive: the right eye is lower).
    pub angle_degrees: f32,
    /// The side of the aligned square in image pixels: mean eye-to-mouth distance / 0.45.
    pub side: f32,
    /// The crop's transform for [`similarity_crop`] at `size` pixels.
    pub transform: [f32; 4],
}

fn centre(points: &[[f32; 2]]) -> [f32; 2] {
    let n = points.len() as f32;
    let (x, y) = points
        .iter()
        .fold((0.0, 0.0), |(x, y), p| (x + p[0], y + p[1]));
    [x / n, y / n]
}

/// The alignment of a face from its 68 `points` into a `size × size` crop: the crop turned by the
/// eye line's angle θ = atan2(y_r − y_l, x_r − x_l) so the eyes are level, its side
/// `s = (|m − l| + |m − r|) / 2 / 0.45` for eye centres `l`, `r` and mouth centre `m`, and the mean
/// `c = (l + r + m) / 3` at `(0.5, 0.43)` of the crop: crop point `(u, v)` is image point
/// `c + R(θ)·((u/size − 0.5)·s, (v/size − 0.43)·s)`. Errors for a wrong number of points or
/// points that do not make a face (eyes or mouth on top of each other, non-finite values).
pub fn alignment(points: &[[f32; 2]], size: usize) -> Result<Alignment> {
    ensure!(
        points.len() == POINTS,
        "an alignment needs the {POINTS} landmarks of a face, not {}",
        points.len()
    );
    ensure!(
        (1..=MAX_SIDE).contains(&size),
        "an aligned crop of {size} pixels is out of range (1 to {MAX_SIDE})"
    );
    let (left_eye, right_eye, mouth) = (
        centre(&points[36..42]),
        centre(&points[42..48]),
        centre(&points[48..68]),
    );
    let dist = |a: [f32; 2], b: [f32; 2]| (a[0] - b[0]).hypot(a[1] - b[1]);
    let side = (dist(mouth, left_eye) + dist(mouth, right_eye)) / 2.0 / EYE_TO_MOUTH;
    let theta = (right_eye[1] - left_eye[1]).atan2(right_eye[0] - left_eye[0]);
    ensure!(
        side.is_finite() && side > 0.0 && dist(left_eye, right_eye) > 0.0 && theta.is_finite(),
        "these landmarks do not make a face: eyes at ({:.1}, {:.1}) and ({:.1}, {:.1}), mouth at ({:.1}, {:.1})",
        left_eye[0],
        left_eye[1],
        right_eye[0],
        right_eye[1],
        mouth[0],
        mouth[1]
    );
    let c = centre(&[left_eye, right_eye, mouth]);
    let scale = side / size as f32;
    let (a, b) = (scale * theta.cos(), scale * theta.sin());
    // c = t + R·(0.5·size, 0.43·size)·scale/scale, i.e. t = c − [a −b; b a]·(u0, v0).
    let (u0, v0) = (CENTRE_X * size as f32, CENTRE_Y * size as f32);
    let transform = [a, b, c[0] - (a * u0 - b * v0), c[1] - (b * u0 + a * v0)];
    Ok(Alignment {
        left_eye,
        right_eye,
        mouth,
        angle_degrees: theta.to_degrees(),
        side,
        transform,
    })
}

/// A face's `size × size` RGB crop `[3, size, size]` aligned on its landmarks ([`alignment`]).
pub fn aligned_crop(
    rgba: &[u8],
    width: usize,
    height: usize,
    points: &[[f32; 2]],
    size: usize,
) -> Result<Vec<f32>> {
    let a = alignment(points, size)?;
    similarity_crop(rgba, width, height, a.transform, size)
}

/// How faces are cropped for the encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cropping {
    /// The square around the detector's box (what the page did before lecture 24's landmarks).
    Square,
    /// Turned, scaled and placed by the landmarks ([`alignment`]).
    Aligned,
}

/// One face found in an image, every stage kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Face {
    /// The detector's box `[x1, y1, x2, y2]` in image pixels, and its score.
    pub bbox: [f32; 4],
    pub score: f32,
    /// The 68 landmarks in image pixels.
    pub points: Vec<[f32; 2]>,
    /// The alignment they give.
    pub alignment: Alignment,
    /// The crop the encoder saw, `[3, 150, 150]` in 0..1, and its 128-number encoding.
    pub crop: Vec<f32>,
    pub encoding: Vec<f32>,
}

/// A face the detector found, with its landmarks and alignment (no crop yet).
struct Located {
    bbox: [f32; 4],
    score: f32,
    points: Vec<[f32; 2]>,
    alignment: Alignment,
}

/// A face's encodings with both croppings, and its eye angle.
struct Encoded {
    square: Vec<f32>,
    aligned: Vec<f32>,
    angle: f32,
}

/// Detector, landmark network and encoder together: a photo in, its faces out.
pub struct FacePipeline {
    detector: Detector,
    landmarker: Landmarker,
    encoder: Model,
}

impl FacePipeline {
    /// The pipeline of three loaded networks; errors when the encoder does not take
    /// `[1, 3, 150, 150]` to `[1, d]`.
    pub fn new(detector: Detector, landmarker: Landmarker, encoder: Model) -> Result<Self> {
        ensure!(
            encoder.input_shape() == [1, 3, ENCODER_INPUT, ENCODER_INPUT]
                && encoder.output_shape().len() == 2,
            "a face encoder takes [1, 3, {ENCODER_INPUT}, {ENCODER_INPUT}] and gives [1, d], not {} → {}",
            shape_text(encoder.input_shape()),
            shape_text(encoder.output_shape())
        );
        Ok(FacePipeline {
            detector,
            landmarker,
            encoder,
        })
    }

    /// The detector's kept faces of an image with their landmarks and alignments, before any crop,
    /// best first.
    fn located(
        &self,
        rgba: &[u8],
        width: usize,
        height: usize,
        score_threshold: f32,
        iou_threshold: f32,
    ) -> Result<Vec<Located>> {
        let run = self
            .detector
            .detect_rgba(rgba, width, height, score_threshold, iou_threshold)?;
        // Box fractions of the letterbox square, whose side is the image's longer side.
        let side = width.max(height) as f32;
        run.kept()
            .into_iter()
            .map(|d| {
                let b = &d.bbox;
                let bbox = [b.x1 * side, b.y1 * side, b.x2 * side, b.y2 * side];
                let points = self.landmarker.locate(rgba, width, height, bbox)?;
                let alignment = alignment(&points, ENCODER_INPUT)?;
                Ok(Located {
                    bbox,
                    score: d.score,
                    points,
                    alignment,
                })
            })
            .collect()
    }

    /// The encoder's crop of a located face and its encoding.
    fn encode(
        &self,
        rgba: &[u8],
        width: usize,
        height: usize,
        bbox: [f32; 4],
        alignment: &Alignment,
        cropping: Cropping,
    ) -> Result<(Vec<f32>, Vec<f32>)> {
        let crop = match cropping {
            Cropping::Square => square_crop(rgba, width, height, bbox, ENCODER_INPUT)?,
            Cropping::Aligned => {
                similarity_crop(rgba, width, height, alignment.transform, ENCODER_INPUT)?
            }
        };
        let encoding = self.encoder.run(&crop)?.data;
        Ok((crop, encoding))
    }

    /// The faces of `width × height` RGBA bytes, best first: the detector's kept boxes (score >
    /// `score_threshold`, non-max suppression at `iou_threshold`), each face's landmarks, its
    /// alignment, its crop (`cropping`) and its encoding.
    pub fn find(
        &self,
        rgba: &[u8],
        width: usize,
        height: usize,
        score_threshold: f32,
        iou_threshold: f32,
        cropping: Cropping,
    ) -> Result<Vec<Face>> {
        self.located(rgba, width, height, score_threshold, iou_threshold)?
            .into_iter()
            .map(|l| {
                let (crop, encoding) =
                    self.encode(rgba, width, height, l.bbox, &l.alignment, cropping)?;
                Ok(Face {
                    bbox: l.bbox,
                    score: l.score,
                    points: l.points,
                    alignment: l.alignment,
                    crop,
                    encoding,
                })
            })
            .collect()
    }
}

/// One variant of a photo in lecture 24's alignment study, and how far its face's encoding is
/// from the original's, `d = ‖f(x1) − f(x2)‖²`, with each cropping.
#[derive(Clone, Debug, PartialEq)]
pub struct StudyRow {
    /// What was done to the photo ("turned 20°", …), or "someone else" for the other person's
    /// photo.
    pub variant: String,
    /// Whether the row shows the same person as the original (every variant does; the other
    /// photo does not): the verdict `d ≤ τ` is right exactly when this holds.
    pub same_person: bool,
    /// The eye line's angle the landmarks measured in the variant, degrees.
    pub measured_angle: f32,
    /// `d` with square crops of the detector's box, and with aligned crops; `None` where the
    /// detector found no face in the variant.
    pub square: Option<f32>,
    pub aligned: Option<f32>,
}

/// What the study does to a photo: turns about its centre (degrees, clockwise on screen), a
/// shrink about the centre, and a mirror image.
pub const STUDY_TURNS: [f32; 6] = [-30.0, -20.0, -10.0, 10.0, 20.0, 30.0];
/// The shrink of the study's "smaller" variant.
pub const STUDY_SHRINK: f32 = 0.6;

/// `rgba` (`width × height`) turned by `degrees` about its centre and scaled by `scale`, on a
/// black canvas of the same size: a variant for the alignment study.
pub fn turned(
    rgba: &[u8],
    width: usize,
    height: usize,
    degrees: f32,
    scale: f32,
) -> Result<Vec<u8>> {
    ensure!(
        width == height,
        "the study turns square photos; this one is {width}x{height}"
    );
    ensure!(
        degrees.is_finite() && scale.is_finite() && scale > 0.0,
        "a turn of {degrees}° at scale {scale} is not a variant"
    );
    // Output point p maps to image point c + R(−θ)·(p − c)/scale: the picture turns by +θ.
    let (s, c) = (-degrees).to_radians().sin_cos();
    let (a, b) = (c / scale, s / scale);
    let m = width as f32 / 2.0;
    let transform = [a, b, m - (a * m - b * m), m - (b * m + a * m)];
    let rgb = similarity_crop(rgba, width, height, transform, width)?;
    rgb_to_rgba(&rgb, width, height)
}

impl FacePipeline {
    /// The best face of an image (score 0.5, IoU 0.4) encoded with both croppings, or `None`.
    fn encode_best(&self, rgba: &[u8], width: usize, height: usize) -> Result<Option<Encoded>> {
        let Some(l) = self
            .located(rgba, width, height, 0.5, 0.4)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        let encode = |c| self.encode(rgba, width, height, l.bbox, &l.alignment, c);
        Ok(Some(Encoded {
            square: encode(Cropping::Square)?.1,
            aligned: encode(Cropping::Aligned)?.1,
            angle: l.alignment.angle_degrees,
        }))
    }

    /// `d = ‖f(a) − f(b)‖²` between the best faces of two RGBA images (`[bytes, width, height]`
    /// each), with square crops and with aligned crops: `Some((square, aligned))`, or `None` when
    /// either image has no face.
    pub fn compare(
        &self,
        (a, aw, ah): (&[u8], usize, usize),
        (b, bw, bh): (&[u8], usize, usize),
    ) -> Result<Option<(f32, f32)>> {
        let (Some(x), Some(y)) = (self.encode_best(a, aw, ah)?, self.encode_best(b, bw, bh)?)
        else {
            return Ok(None);
        };
        Ok(Some((
            squared_distance(&x.square, &y.square)?,
            squared_distance(&x.aligned, &y.aligned)?,
        )))
    }

    /// Lecture 24's measurement of what alignment does: the photo (square, `side × side` RGBA
    /// bytes with one face) and its variants — turned by each of [`STUDY_TURNS`], shrunk to
    /// [`STUDY_SHRINK`], mirrored — each through the pipeline, the best face's encoding compared
    /// with the original's, once with square crops of the detector's box and once with aligned
    /// crops. The first row is the original itself (d = 0, its own eye angle). With
    /// `someone_else` (`[bytes, width, height]` of another person's photo), a last row compares
    /// that person's best face with the original's encodings, which are computed once. Errors when
    /// the original has no face (score 0.5, IoU 0.4).
    pub fn alignment_study(
        &self,
        rgba: &[u8],
        side: usize,
        someone_else: Option<(&[u8], usize, usize)>,
    ) -> Result<Vec<StudyRow>> {
        let Some(original) = self.encode_best(rgba, side, side)? else {
            anyhow::bail!(
                "the detector finds no face in this photo, so there is nothing to compare"
            );
        };
        let mut variants = STUDY_TURNS
            .iter()
            .map(|&d| Ok((format!("turned {d:+}°"), turned(rgba, side, side, d, 1.0)?)))
            .collect::<Result<Vec<_>>>()?;
        variants.push((
            format!("smaller ({:.0} %)", STUDY_SHRINK * 100.0),
            turned(rgba, side, side, 0.0, STUDY_SHRINK)?,
        ));
        let chw = rgba_to_chw(rgba, side, side, 3)?;
        let flipped = mirror(&chw, [3, side, side])?;
        variants.push((
            "mirrored".into(),
            rgb_to_rgba(
                &flipped.iter().map(|v| v / 255.0).collect::<Vec<_>>(),
                side,
                side,
            )?,
        ));
        let mut rows = Vec::with_capacity(variants.len() + 2);
        rows.push(StudyRow {
            variant: "original".into(),
            same_person: true,
            measured_angle: original.angle,
            square: Some(0.0),
            aligned: Some(0.0),
        });
        let row = |variant, same_person, found: Option<Encoded>| -> Result<StudyRow> {
            Ok(match found {
                Some(e) => StudyRow {
                    variant,
                    same_person,
                    measured_angle: e.angle,
                    square: Some(squared_distance(&original.square, &e.square)?),
                    aligned: Some(squared_distance(&original.aligned, &e.aligned)?),
                },
                None => StudyRow {
                    variant,
                    same_person,
                    measured_angle: f32::NAN,
                    square: None,
                    aligned: None,
                },
            })
        };
        for (variant, image) in variants {
            rows.push(row(variant, true, self.encode_best(&image, side, side)?)?);
        }
        if let Some((other, width, height)) = someone_else {
            rows.push(row(
                "someone else".into(),
                false,
                self.encode_best(other, width, height)?,
            )?);
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A face drawn by its eye and mouth centres only (every eye point on the eye's centre).
    fn face(left: [f32; 2], right: [f32; 2], mouth: [f32; 2]) -> Vec<[f32; 2]> {
        (0..POINTS)
            .map(|i| match i {
                36..42 => left,
                42..48 => right,
                48..68 => mouth,
                _ => [0.0, 0.0],
            })
            .collect()
    }

    fn image_point(t: [f32; 4], u: f32, v: f32) -> [f32; 2] {
        [t[2] + t[0] * u - t[1] * v, t[3] + t[1] * u + t[0] * v]
    }

    #[test]
    fn a_level_face_is_placed_by_face_apis_rule() {
        // Eyes 30 apart at y = 40, mouth 40 below their middle: eye-to-mouth 42.72, side 94.9.
        let a = alignment(&face([35.0, 40.0], [65.0, 40.0], [50.0, 80.0]), 100).unwrap();
        assert_eq!(a.angle_degrees, 0.0);
        let d = 15.0f32.hypot(40.0);
        assert!((a.side - d / 0.45).abs() < 1e-3);
        // The centre of the three points, (50, 53.33), is at (50, 43) of the 100-pixel crop.
        let c = image_point(a.transform, 50.0, 43.0);
        assert!(
            (c[0] - 50.0).abs() < 1e-4 && (c[1] - 160.0 / 3.0).abs() < 1e-4,
            "{c:?}"
        );
    }

    #[test]
    fn a_turned_face_comes_out_level() {
        // The level face above turned by 30° about (50, 50).
        let turn = |p: [f32; 2]| {
            let (s, c) = 30f32.to_radians().sin_cos();
            let (x, y) = (p[0] - 50.0, p[1] - 50.0);
            [50.0 + c * x - s * y, 50.0 + s * x + c * y]
        };
        let level = alignment(&face([35.0, 40.0], [65.0, 40.0], [50.0, 80.0]), 100).unwrap();
        let turned = alignment(
            &face(turn([35.0, 40.0]), turn([65.0, 40.0]), turn([50.0, 80.0])),
            100,
        )
        .unwrap();
        assert!((turned.angle_degrees - 30.0).abs() < 1e-4);
        assert!((turned.side - level.side).abs() < 1e-3);
        // Every crop point lands on the turned image of where it landed for the level face.
        for (u, v) in [(0.0, 0.0), (100.0, 0.0), (37.0, 81.0)] {
            let want = turn(image_point(level.transform, u, v));
            let got = image_point(turned.transform, u, v);
            assert!((want[0] - got[0]).abs() < 1e-3 && (want[1] - got[1]).abs() < 1e-3);
        }
    }

    #[test]
    fn points_that_make_no_face_are_refused() {
        let p = [10.0, 10.0];
        let err = alignment(&face(p, p, p), 150).unwrap_err().to_string();
        assert_eq!(
            err,
            "these landmarks do not make a face: eyes at (10.0, 10.0) and (10.0, 10.0), mouth at (10.0, 10.0)"
        );
        assert!(alignment(&face([0.0, 0.0], [1.0, 0.0], [0.5, 1.0])[..67], 150).is_err());
        assert!(alignment(&face([f32::NAN, 0.0], [1.0, 0.0], [0.5, 1.0]), 150).is_err());
    }

    #[test]
    fn outputs_are_fractions_of_the_square_around_the_box() {
        let mut out = vec![0.0; 136];
        out[..4].copy_from_slice(&[0.0, 0.0, 1.0, 0.5]);
        // A 40x20 box at (10, 30): the square is 40 wide, from y = 20 to 60.
        let p = points_in_image(&out, [10.0, 30.0, 50.0, 50.0]).unwrap();
        assert_eq!(p[0], [10.0, 20.0]);
        assert_eq!(p[1], [50.0, 40.0]);
        assert!(points_in_image(&out[..10], [0.0, 0.0, 1.0, 1.0]).is_err());
    }

    #[test]
    fn the_parts_cover_the_68_points_once() {
        let mut seen = [false; POINTS];
        for (_, range, _) in PARTS {
            for i in range {
                assert!(!seen[i]);
                seen[i] = true;
            }
        }
        assert!(seen.iter().all(|&s| s));
    }
}
