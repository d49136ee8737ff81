//! cnn-playground: a live laboratory for convolutional neural networks.
//!
//! The crate is a pure core, built and tested natively, behind a thin WebAssembly facade:
//!
//! - [`geometry`]: the one source of truth for output sizes, paddings and receptive fields;
//! - [`ops`]: the layers the playground computes (validated once), in NCHW / OIHW layout;
//! - [`reference`]: plain-Rust convolution and pooling that explain every output cell;
//! - [`filters`]: the course's named edge filters;
//! - [`graph`]: ONNX graphs for single layers, built in Rust;
//! - [`image`]: RGBA bytes to tensors, generated images, feature maps to heatmaps;
//! - [`scenes`]: generated detection scenes (circles, squares, triangles) with their boxes;
//! - [`samples`]: generated signals, volumes and activations, and the 1D/3D filters;
//! - [`network`]: activation shapes and parameter counts of a stack of layers;
//! - [`architectures`]: LeNet-5, AlexNet, VGG-16, ResNet-34, Inception and GoogLeNet as ONNX graphs;
//! - [`augment`]: lecture 21's data augmentations on images and digits;
//! - [`detect`]: boxes, IoU, non-max suppression, localisation and YOLO targets, YOLO decoding;
//! - [`digits`]: scikit-learn's 8x8 digits and the page's drawings as LeNet-5 input;
//! - [`letters`]: generated hand-drawn letters, new classes for transfer learning;
//! - [`transfer`]: a softmax layer trained in plain Rust on a frozen network's features;
//! - [`embedding`]: face verification on encodings: distances, triplet loss, τ, recognition;
//! - [`style`]: neural style transfer: Gram matrices, costs, backward pass, gradient descent;
//! - [`edges`]: the edge lab's frame (pixels → tract convolution → pooling → heatmap) in one call;
//! - [`engine`]: tract loading, optimising, caching and running ONNX graphs;
//! - `wasm` (wasm32 only): the JavaScript API, the only module that knows about JS.

pub mod architectures;
pub mod augment;
pub mod detect;
pub mod digits;
pub mod edges;
pub mod embedding;
pub mod engine;
pub mod filters;
pub mod geometry;
pub mod graph;
pub mod image;
pub mod letters;
pub mod network;
pub mod ops;
pub mod reference;
pub mod samples;
pub mod scenes;
pub mod style;
pub mod transfer;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
