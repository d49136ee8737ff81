//! The JavaScript API of [`crate::course`], one file per lesson topic.

pub mod architectures;
pub mod augment;
pub mod detect;
pub mod digits;
pub mod edges;
pub mod embedding;
pub mod ensemble;
pub mod faces;
pub mod filters;
pub mod network;
pub mod samples;
pub mod scenes;
pub mod sliding;
pub mod style;
pub mod transfer;
