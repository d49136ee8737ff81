//! cnn-playground: a live laboratory for convolutional neural networks.
//!
//! The folders are the layers, and nothing imports upward:
//!
//! - [`core`] (plain Rust, no lesson content): geometry, the ops and their plain-Rust reference,
//!   ONNX graphs built in Rust, images, the shared random-number generator, and the engine — tract
//!   behind one door (loading, optimising, caching, running, reading layer tables);
//! - [`course`]: one module per lesson topic (filters, edges, samples, network shapes,
//!   architectures, augmentation, transfer, letters, digits, detection, scenes, embedding, style,
//!   lecture 39's strongest activations), each built on `core`;
//! - `wasm` (wasm32 only): the JavaScript API, mirroring `core` and `course`; the only module that
//!   knows about JavaScript;
//! - `www/` (not Rust): the page, which only draws.
//!
//! Every module is also re-exported at the crate root (`cnn_playground::geometry`,
//! `cnn_playground::detect`, …), so tests and examples name them by topic.

pub mod core;
pub mod course;

pub use crate::core::{engine, geometry, graph, image, ops, reference, rng};
pub use crate::course::{
    activations, architectures, augment, detect, detector, digits, edges, embedding, ensemble,
    faces, filters, letters, network, proposals, samples, scenes, sliding, style, transfer,
};

#[cfg(target_arch = "wasm32")]
pub mod wasm;
