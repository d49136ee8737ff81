//! The numbers a JavaScript caller hands the facade, after it turned them into `usize`/`f32`:
//! geometry, the reference conv and pool, crops, letterboxes, network shapes, IoU and NMS,
//! augmentations. Each must answer or refuse, never panic or allocate without bound.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|call: cnn_playground_fuzz::ApiCall| {
    call.run();
});
