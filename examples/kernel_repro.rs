//! Minimal reproductions of where tract spends the face detector's time in the browser
//! (`Model.profile` in `scripts/bench.sh`: 85 % in `OptMatMul`, most of it in the first three
//! convolutions, where the matrix product has few rows or a short inner dimension over a large
//! image). Each file is one of the face detector's convolutions alone, with its shapes, its
//! padding and its leaky ReLU, and random weights (seed 7), followed by a global average pool
//! (a small output: copying millions of values out of either runtime would hide the convolution),
//! so tract and onnxruntime-web can be timed on it one layer at a time (tests/bench/bench.mjs) and
//! the case reported upstream.
//!
//! Usage: `cargo run --example kernel_repro -- <out dir>` (scripts/bench.sh writes them into
//! `target/repro/`; not committed).

use anyhow::{ensure, Result};
use cnn_playground::graph::{encode, GraphBuilder};
use cnn_playground::rng::Rng;

/// `(file, input side, in channels, out channels, kernel side, pad)`: the face detector's conv_3,
/// conv_10, conv_17 and conv_24 (the first 3x3 and the first three pointwise convolutions).
const LAYERS: [(&str, usize, usize, usize, usize, usize); 4] = [
    ("conv-3x3-3to16-416", 416, 3, 16, 3, 0),
    ("conv-1x1-16to32-208", 208, 16, 32, 1, 0),
    ("conv-1x1-32to64-104", 104, 32, 64, 1, 0),
    ("conv-1x1-64to128-52", 52, 64, 128, 1, 0),
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ensure!(args.len() == 1, "usage: kernel_repro <out dir>");
    std::fs::create_dir_all(&args[0])?;
    let mut rng = Rng::new(7);
    for (file, side, c, k, f, pad) in LAYERS {
        let mut g = GraphBuilder::new(file, &[1, c, side, side]);
        let x = g.input();
        let weights: Vec<f32> = (0..k * c * f * f).map(|_| rng.range(-0.5, 0.5)).collect();
        let bias: Vec<f32> = (0..k).map(|_| rng.range(-0.1, 0.1)).collect();
        let y = g.conv(
            &x,
            (&[k, c, f, f], &weights),
            Some(&bias),
            &[pad; 4],
            &[1, 1],
            1,
        );
        let y = g.leaky_relu(&y, 0.1);
        // A small output, so that copying it out of either runtime does not hide the convolution.
        let y = g.global_average_pool(&y);
        std::fs::write(format!("{}/{file}.onnx", args[0]), encode(&g.finish(&y)))?;
    }
    println!("wrote {} layers into {}", LAYERS.len(), args[0]);
    Ok(())
}
