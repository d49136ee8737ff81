//! The JavaScript API of [`crate::core`], one file per core module.

pub mod engine;
pub mod geometry;
pub mod image;
pub mod ops;
