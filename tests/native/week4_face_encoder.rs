//! The face encoder (www/models/face-encoder.onnx, converted from @vladmandic/face-api's face
//! recognition network by examples/convert_face_recognition.rs) run by tract gives the encodings
//! face-api itself computes (tests/fixtures/face-encoder-reference.json, written by
//! data/face/reference.cjs with tfjs' CPU backend) for the same two inputs.

use cnn_playground::embedding::squared_distance;
use cnn_playground::engine::Model;

use crate::common::check_against_face_api;

#[test]
fn tract_matches_face_api_on_the_reference_inputs() {
    let model = Model::load(include_bytes!("../../www/models/face-encoder.onnx")).unwrap();
    assert_eq!(
        (model.input_shape(), model.output_shape()),
        (&[1, 3, 150, 150][..], &[1, 128][..])
    );
    let reference = include_str!("../fixtures/face-encoder-reference.json");
    let encodings = check_against_face_api(&model, reference, "descriptor", 150, 128);
    // Two different inputs give different encodings.
    assert!(squared_distance(&encodings[0], &encodings[1]).unwrap() > 1e-6);
}
