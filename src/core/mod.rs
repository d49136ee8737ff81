//! The pure core: no lesson content, no JavaScript. Everything the course modules build on.
//!
//! - [`geometry`]: the one source of truth for output sizes, padding modes (explicit, SAME_UPPER,
//!   SAME_LOWER, VALID), dilation and receptive fields;
//! - [`ops`]: the layers the playground computes (validated once), in NCHW / OIHW layout;
//! - [`reference`]: plain-Rust convolution and pooling that explain every output cell;
//! - [`graph`]: ONNX graphs built in Rust (single layers, and a builder for whole networks);
//! - [`image`]: RGBA bytes to tensors, generated images, feature maps to heatmaps (the one colour
//!   map);
//! - [`rng`]: the one deterministic random-number generator;
//! - [`error`]: how an error reads (a plain sentence, tract's chain apart as details);
//! - [`engine`]: tract behind one door: the plan cache and running, the loaded [`engine::Model`],
//!   reading ONNX files, and the layer table with windows and receptive fields.

pub mod engine;
pub mod error;
pub mod geometry;
pub mod graph;
pub mod image;
pub mod ops;
pub mod reference;
pub mod rng;
