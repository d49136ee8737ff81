//! One module per lesson topic, each built on [`crate::core`] (never the reverse):
//!
//! - [`filters`]: the course's named edge filters (lectures 02-03);
//! - [`edges`]: the edge lab's frame (pixels → tract convolution → pooling → heatmap) in one call;
//! - [`samples`]: generated signals, volumes and activations, and the 1D/3D filters (lectures 09,
//!   16, 43);
//! - [`network`]: activation shapes and parameter counts of a stack of layers (lectures 08-11);
//! - [`architectures`]: LeNet-5, AlexNet, VGG-16, ResNet-34, Inception and GoogLeNet as ONNX
//!   graphs (lectures 13-18);
//! - [`augment`]: lecture 21's data augmentations on images and digits;
//! - [`ensemble`]: lecture 22's ensembles and multi-crop at test time, measured on held-out digits;
//! - [`transfer`]: a softmax layer trained in plain Rust on a frozen network's features (lecture
//!   20);
//! - [`letters`]: generated hand-drawn letters, new classes for transfer learning;
//! - [`digits`]: scikit-learn's 8x8 digits and the page's drawings as LeNet-5 input;
//! - [`detect`]: boxes, IoU, non-max suppression, localisation and YOLO targets, YOLO decoding, and
//!   and [`detector`]: the [`detector::Detector`] pipeline (letterbox → run → decode → suppress) (lectures 23-31);
//! - [`sliding`]: lecture 26's naive sliding windows against the one convolutional pass;
//! - [`proposals`]: lecture 32's region proposals (segmentation into blobs, one region each,
//!   classified);
//! - [`scenes`]: generated detection scenes (circles, squares, triangles) with their boxes and the
//!   shapes detector's grid and anchors;
//! - [`faces`]: a photo's faces through detector, 68 landmarks, alignment and encoder, every stage
//!   kept (lectures 24 and 33-36);
//! - [`embedding`]: face verification on encodings: distances, triplet loss, τ, recognition and
//!   the [`embedding::FaceDatabase`] (lectures 33-37);
//! - [`style`]: neural style transfer: Gram matrices, costs, backward pass, gradient descent
//!   (lectures 38-42);
//! - [`activations`]: lecture 39's strongest activations of a channel over a set of inputs.

pub mod activations;
pub mod architectures;
pub mod augment;
pub mod detect;
pub mod detector;
pub mod digits;
pub mod edges;
pub mod embedding;
pub mod ensemble;
pub mod faces;
pub mod filters;
pub mod letters;
pub mod network;
pub mod proposals;
pub mod samples;
pub mod scenes;
pub mod sliding;
pub mod style;
pub mod transfer;
