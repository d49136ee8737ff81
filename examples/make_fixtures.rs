//! Writes the ONNX fixtures of the end-to-end tests into `tests/fixtures/`:
//!
//! - `mlp.onnx`: a multilayer perceptron on 8x8 grey images (Flatten → Gemm 64→32 → Relu → Gemm
//!   32→10 → Softmax) with weights `sin(i)/10` (deterministic, no seed needed): a valid model
//!   tract runs, but not a CNN, so the model explorer must say so.
//!
//! Usage: `cargo run --example make_fixtures` (from the crate's root).

use anyhow::{Context, Result};
use cnn_playground::graph::{encode, GraphBuilder};

fn weights(n: usize) -> Vec<f32> {
    (0..n).map(|i| (i as f32).sin() / 10.0).collect()
}

fn main() -> Result<()> {
    let mut g = GraphBuilder::new("mlp", &[1, 1, 8, 8]);
    let x = g.input();
    let x = g.flatten(&x);
    let x = g.dense(&x, (&[32, 64], &weights(32 * 64)), &weights(32));
    let x = g.relu(&x);
    let x = g.dense(&x, (&[10, 32], &weights(10 * 32)), &weights(10));
    let x = g.softmax(&x, 1);
    let bytes = encode(&g.finish(&x));
    std::fs::create_dir_all("tests/fixtures").context("create tests/fixtures")?;
    std::fs::write("tests/fixtures/mlp.onnx", &bytes).context("write tests/fixtures/mlp.onnx")?;
    println!("tests/fixtures/mlp.onnx: {} bytes", bytes.len());
    Ok(())
}
