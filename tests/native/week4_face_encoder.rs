//! The face encoder (www/models/face-encoder.onnx, converted from @vladmandic/face-api's face
//! recognition network by examples/convert_face_recognition.rs) run by tract gives the encodings
//! face-api itself computes (tests/fixtures/face-encoder-reference.json, written by
//! data/face/reference.cjs with tfjs' CPU backend) for the same two inputs.

use cnn_playground::embedding::squared_distance;
use cnn_playground::engine::Model;

use crate::common::{face_reference_input, face_reference_output, largest_difference};

#[test]
fn tract_matches_face_api_on_the_reference_inputs() {
    let model = Model::load(include_bytes!("../../www/models/face-encoder.onnx")).unwrap();
    assert_eq!(
        (model.input_shape(), model.output_shape()),
        (&[1, 3, 150, 150][..], &[1, 128][..])
    );
    let reference = include_str!("../fixtures/face-encoder-reference.json");
    let mut encodings = Vec::new();
    for seed in [1usize, 2] {
        let ours = model.run(&face_reference_input(150, seed)).unwrap().data;
        let theirs = face_reference_output(reference, "descriptor", seed);
        assert_eq!(theirs.len(), 128);
        let diff = largest_difference(&ours, &theirs);
        println!("seed {seed}: largest |tract − face-api| = {diff:e}");
        assert!(diff < 1e-4, "seed {seed}: {diff}");
        encodings.push(ours);
    }
    // Two different inputs give different encodings.
    assert!(squared_distance(&encodings[0], &encodings[1]).unwrap() > 1e-6);
}
