//! The 68-point landmark network (www/models/face-landmarks.onnx, converted from
//! @vladmandic/face-api's `face_landmark_68_model` by examples/convert_face_landmarks.rs) run by
//! tract gives the points face-api itself computes (tests/fixtures/face-landmarks-reference.json,
//! written by data/face/reference.cjs with tfjs' CPU backend) for the same two inputs.

use cnn_playground::detector::{face_detector_spec, Detector};
use cnn_playground::engine::Model;

use crate::common::check_against_face_api;
use cnn_playground::faces::{Cropping, FacePipeline, Landmarker, StudyRow};

#[test]
fn tract_matches_face_api_on_the_reference_inputs() {
    let model = Model::load(include_bytes!("../../www/models/face-landmarks.onnx")).unwrap();
    assert_eq!(
        (model.input_shape(), model.output_shape()),
        (&[1, 3, 112, 112][..], &[1, 136][..])
    );
    let reference = include_str!("../fixtures/face-landmarks-reference.json");
    let outputs = check_against_face_api(&model, reference, "landmarks", 112, 136);
    assert_ne!(outputs[0], outputs[1]);
}

/// A bundled photo (www/images) as RGBA bytes, its width and height.
fn photo(name: &str) -> (Vec<u8>, usize, usize) {
    let file = std::fs::File::open(format!(
        "{}/www/images/{name}.png",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let mut reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let bytes = &buf[..info.buffer_size()];
    let rgba = match info.color_type {
        png::ColorType::Rgba => bytes.to_vec(),
        png::ColorType::Rgb => bytes
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::Grayscale => bytes.iter().flat_map(|&g| [g, g, g, 255]).collect(),
        other => panic!("{name}.png: colour type {other:?}"),
    };
    (rgba, w, h)
}

fn pipeline() -> FacePipeline {
    let detector = Detector::new(
        Model::load(include_bytes!("../../www/models/face-detector.onnx")).unwrap(),
        face_detector_spec(),
    )
    .unwrap();
    let landmarker = Landmarker::new(
        Model::load(include_bytes!("../../www/models/face-landmarks.onnx")).unwrap(),
    )
    .unwrap();
    let encoder = Model::load(include_bytes!("../../www/models/face-encoder.onnx")).unwrap();
    FacePipeline::new(detector, landmarker, encoder).unwrap()
}

/// On the astronaut photo the 68 points fall where a face's parts are: inside the detector's
/// box, eyes above the nose tip above the mouth, the left eye left of the right one, the jaw
/// below the eyes; and the eye line is nearly level (the photo is upright).
#[test]
fn the_astronauts_landmarks_are_where_her_face_is() {
    let (rgba, w, h) = photo("astronaut");
    let faces = pipeline()
        .find(&rgba, w, h, 0.5, 0.4, Cropping::Aligned)
        .unwrap();
    assert_eq!(faces.len(), 1);
    let f = &faces[0];
    let [x1, y1, x2, y2] = f.bbox;
    let (bw, bh) = (x2 - x1, y2 - y1);
    for (i, p) in f.points.iter().enumerate() {
        assert!(
            p[0] > x1 - 0.1 * bw
                && p[0] < x2 + 0.1 * bw
                && p[1] > y1 - 0.1 * bh
                && p[1] < y2 + 0.1 * bh,
            "point {i} at {p:?} is outside the box {:?}",
            f.bbox
        );
    }
    let a = &f.alignment;
    let nose_tip = f.points[30];
    let chin = f.points[8];
    println!(
        "box {:?}, eyes {:?} {:?}, nose {nose_tip:?}, mouth {:?}, chin {chin:?}, angle {:.1}°",
        f.bbox, a.left_eye, a.right_eye, a.mouth, a.angle_degrees
    );
    assert!(a.left_eye[0] < a.right_eye[0]);
    assert!(a.left_eye[1].max(a.right_eye[1]) < nose_tip[1]);
    assert!(nose_tip[1] < a.mouth[1] && a.mouth[1] < chin[1]);
    assert!(a.angle_degrees.abs() < 10.0, "{}", a.angle_degrees);
    assert_eq!(f.crop.len(), 3 * 150 * 150);
    assert_eq!(f.encoding.len(), 128);
}

/// Lecture 24's report: the astronaut turned, shrunk and mirrored, each variant's encoding against
/// the original's with square and with aligned crops, and the astronaut against the cameraman (the
/// other bundled photo with a face). Printed as the table data/face/README.md quotes; what is
/// asserted is what alignment is for: on the turned variants the aligned crops keep the encodings
/// closer (the mean d falls), each turn is measured within 5° by the landmarks, and someone else
/// stays farther than τ either way.
#[test]
fn alignment_brings_turned_faces_closer() {
    let (rgba, w, h) = photo("astronaut");
    assert_eq!(w, h);
    let pipeline = pipeline();
    let (camera, cw, ch) = photo("camera");
    let mut rows = pipeline
        .alignment_study(&rgba, w, Some((&camera, cw, ch)))
        .unwrap();
    let other = rows.pop().unwrap();
    assert_eq!(
        (other.variant.as_str(), other.same_person),
        ("someone else", false)
    );
    assert!(rows.iter().all(|r| r.same_person));
    assert_eq!((rows[0].square, rows[0].aligned), (Some(0.0), Some(0.0)));
    println!("variant            eye angle   d square   d aligned");
    for r in &rows {
        let f = |d: Option<f32>| d.map_or("no face".to_string(), |d| format!("{d:.3}"));
        println!(
            "{:<18} {:>8.1}°   {:>8}   {:>9}",
            r.variant,
            r.measured_angle,
            f(r.square),
            f(r.aligned)
        );
    }
    // The last row must be what comparing the two photos gives.
    let (square, aligned) = pipeline
        .compare((&rgba, w, h), (&camera, cw, ch))
        .unwrap()
        .expect("a face in both photos");
    assert_eq!((other.square, other.aligned), (Some(square), Some(aligned)));
    println!("the cameraman (someone else)    {square:>8.3}   {aligned:>9.3}");
    // τ = 0.36, the page's threshold: someone else stays someone else either way.
    assert!(square > 0.36 && aligned > 0.36);
    let turned: Vec<_> = rows
        .iter()
        .filter(|r| r.variant.starts_with("turned"))
        .collect();
    let found: Vec<_> = turned.iter().filter(|r| r.square.is_some()).collect();
    assert!(
        found.len() >= 4,
        "the detector found too few turned faces: {rows:?}"
    );
    let mean =
        |f: &dyn Fn(&StudyRow) -> f32| found.iter().map(|r| f(r)).sum::<f32>() / found.len() as f32;
    let (square, aligned) = (mean(&|r| r.square.unwrap()), mean(&|r| r.aligned.unwrap()));
    println!(
        "turned variants with a face: {}; mean d square {square:.3}, aligned {aligned:.3}",
        found.len()
    );
    assert!(aligned < square);
    for r in &found {
        let turn: f32 = r.variant["turned ".len()..r.variant.len() - "°".len()]
            .parse()
            .unwrap();
        let measured = r.measured_angle - rows[0].measured_angle;
        assert!((measured - turn).abs() < 5.0, "{r:?}: measured {measured}°");
    }
}

/// The pipeline names the model that is not what it should be.
#[test]
fn a_pipeline_of_the_wrong_models_is_refused() {
    let load = |bytes: &[u8]| Model::load(bytes).unwrap();
    let detector = include_bytes!("../../www/models/face-detector.onnx");
    let landmarks = include_bytes!("../../www/models/face-landmarks.onnx");
    assert_eq!(
        Landmarker::new(load(detector)).err().unwrap().to_string(),
        "a landmark network takes [1, 3, 112, 112] and gives [1, 136], not [1, 3, 416, 416] → [1, 25, 13, 13]"
    );
    let err = FacePipeline::new(
        Detector::new(load(detector), face_detector_spec()).unwrap(),
        Landmarker::new(load(landmarks)).unwrap(),
        load(landmarks),
    )
    .err()
    .unwrap();
    assert_eq!(
        err.to_string(),
        "a face encoder takes [1, 3, 150, 150] and gives [1, d], not [1, 3, 112, 112] → [1, 136]"
    );
}
