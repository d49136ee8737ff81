//! The face encoder (www/models/face-encoder.onnx, converted from @vladmandic/face-api's face
//! recognition network by examples/convert_face_recognition.rs) run by tract gives the encodings
//! face-api itself computes (tests/fixtures/face-encoder-reference.json, written by
//! data/face/reference.cjs with tfjs' CPU backend) for the same two inputs.

use cnn_playground::embedding::squared_distance;
use cnn_playground::engine::Model;

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
        // face-api's input: HWC bytes (i·7919 + seed·104729) mod 256; ours: CHW in 0..1.
        let mut chw = vec![0.0f32; 3 * 150 * 150];
        for y in 0..150 {
            for x in 0..150 {
                for c in 0..3 {
                    let i = (y * 150 + x) * 3 + c;
                    chw[(c * 150 + y) * 150 + x] =
                        ((i * 7919 + seed * 104729) % 256) as f32 / 255.0;
                }
            }
        }
        let ours = model.run(&chw).unwrap().data;
        let start = reference
            .find(&format!("{{\"seed\":{seed},\"descriptor\":["))
            .expect("the seed in the fixture");
        let list = &reference[start..];
        let list = &list[list.find('[').unwrap() + 1..list.find(']').unwrap()];
        let theirs: Vec<f32> = list.split(',').map(|v| v.parse().unwrap()).collect();
        assert_eq!(theirs.len(), 128);
        let diff = ours
            .iter()
            .zip(&theirs)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f32::max);
        println!("seed {seed}: largest |tract − face-api| = {diff:e}");
        assert!(diff < 1e-4, "seed {seed}: {diff}");
        encodings.push(ours);
    }
    // Two different inputs give different encodings.
    assert!(squared_distance(&encodings[0], &encodings[1]).unwrap() > 1e-6);
}
