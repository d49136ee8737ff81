//! Writes the ONNX fixtures of the end-to-end tests into `tests/fixtures/`:
//!
//! - `mlp.onnx`: a multilayer perceptron on 8x8 grey images (Flatten → Gemm 64→32 → Relu → Gemm
//!   32→10 → Softmax) with weights `sin(i)/10` (deterministic, no seed needed): a valid model
//!   tract runs, but not a CNN, so the model explorer must say so.
//! - `unknown-op.onnx`: a 3x3 conv on a 1x1x8x8 input followed by an op called `Frobnicate`,
//!   which no runtime knows: the explorer must name the op it cannot run.
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
    write("mlp.onnx", &encode(&g.finish(&x)))?;

    let mut g = GraphBuilder::new("unknown-op", &[1, 1, 8, 8]);
    let x = g.input();
    let x = g.conv(&x, (&[1, 1, 3, 3], &weights(9)), None, &[0; 4], &[1, 1], 1);
    let x = g.relu(&x);
    let mut model = g.finish(&x);
    let graph = model.graph.as_mut().context("no graph")?;
    let relu = graph
        .node
        .iter_mut()
        .find(|n| n.op_type == "Relu")
        .context("no Relu")?;
    relu.op_type = "Frobnicate".into();
    write("unknown-op.onnx", &encode(&model))
}

fn write(name: &str, bytes: &[u8]) -> Result<()> {
    std::fs::create_dir_all("tests/fixtures").context("create tests/fixtures")?;
    let path = format!("tests/fixtures/{name}");
    std::fs::write(&path, bytes).with_context(|| format!("write {path}"))?;
    println!("{path}: {} bytes", bytes.len());
    Ok(())
}
