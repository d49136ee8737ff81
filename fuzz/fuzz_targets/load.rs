//! ONNX bytes → load (validate, tract's analysis and optimisation) → layer table → one run on
//! zeros. Every outcome must be `Ok` or `Err`: a panic, abort, hang or huge allocation is a finding
//! (it would trap the page's wasm module, where `panic = "abort"`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    cnn_playground_fuzz::exercise_model(data);
});
