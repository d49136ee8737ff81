//! Structure-aware: an arbitrary small graph of CNN ops with hostile attributes (kernel 0, stride 0,
//! negative or huge pads, groups that do not divide the channels, dims of 0 or 2^31, cycles,
//! unknown ops, huge `ConstantOfShape`/`Reshape` targets) encoded as ONNX, then the `load` path.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|graph: cnn_playground_fuzz::Graph| {
    cnn_playground_fuzz::exercise_model(&graph.encode());
});
