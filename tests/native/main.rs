//! The native test suite, one binary (tract is linked once and every module's tests run in
//! parallel), named by the course's weeks (lectures 01-11, 12-22, 23-32, 33-43) and topic. The
//! browser suite is tests/web/, the end-to-end suite tests/e2e/.
#![cfg(not(target_arch = "wasm32"))]

#[macro_use]
mod common;

mod engine;
mod robustness;

mod week1_course_examples;
mod week1_errors;
mod week1_geometry;
mod week1_network_shapes;
mod week1_tract_vs_reference;

mod week2_architectures;
mod week2_large_models;
mod week2_lenet;
mod week2_transfer;

mod week3_detection;
mod week3_proposals;
mod week3_trained_detectors;

mod week4_embedding;
mod week4_face_encoder;
mod week4_face_landmarks;
mod week4_style;
mod week4_what_convnets_learn;
