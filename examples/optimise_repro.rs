//! A minimal reproduction of where tract's optimisation spends the load time of the deep bundled
//! models (the face encoder's load is 3.3× onnxruntime-web's; `tests/bench/bench.mjs`): in
//! `ModelPatch::apply`, tract-core 0.23.9 `src/model/patch.rs` lines 306-318 compare every node
//! a patch adds with every node of the model (`dyn_eq`), and the `continue` there only moves on
//! to the next model node, so the node is added anyway: the search changes nothing and costs
//! patches × nodes. The optimisation of a chain of `n` convolutions therefore takes time that
//! grows faster than `n`: this prints its time per convolution for chains of 25 to 400, loaded by
//! tract alone (`onnx().model_for_read`, `into_optimized`, `into_runnable`), medians of 5.
//!
//! Measured natively (2 shared cores, release build, one run each, 2026-12-02):
//!
//! | convolutions | tract-core 0.23.9 | the same with lines 306-318 removed |
//! |---|---|---|
//! | 25 | 8.9 ms (354 µs each) | 8.8 ms (354 µs each) |
//! | 100 | 59.9 ms (599 µs each) | 42.4 ms (424 µs each) |
//! | 400 | 684.9 ms (1712 µs each) | 271.7 ms (679 µs each) |
//!
//! The rest of the growth is the consistency checks run twice per patch and the unique-name
//! search over every node. On the bundled face encoder, the same local change took the
//! optimisation from 17.4-19.4 to 14.1-15.2 ms, EfficientNet-B0's from 25.2-26.0 to
//! 18.6-24.0 ms (three runs each, medians of 9 loads). The crate does not patch tract: this is
//! the case to report upstream.
//!
//! Usage: `cargo run --release --example optimise_repro`.

use anyhow::Result;
use cnn_playground::graph::{encode, GraphBuilder};
use cnn_playground::rng::Rng;
use std::time::Instant;
use tract_onnx::prelude::*;

/// Channels and side of every convolution in the chain (3x3, padding 1, then a ReLU).
const CHANNELS: usize = 8;
const SIDE: usize = 8;

fn chain(n: usize, rng: &mut Rng) -> Vec<u8> {
    let mut g = GraphBuilder::new("chain", &[1, CHANNELS, SIDE, SIDE]);
    let mut x = g.input();
    for _ in 0..n {
        let weights: Vec<f32> = (0..CHANNELS * CHANNELS * 9)
            .map(|_| rng.range(-0.3, 0.3))
            .collect();
        let y = g.conv(
            &x,
            (&[CHANNELS, CHANNELS, 3, 3], &weights),
            None,
            &[1; 4],
            &[1, 1],
            1,
        );
        x = g.relu(&y);
    }
    encode(&g.finish(&x))
}

fn main() -> Result<()> {
    let mut rng = Rng::new(7);
    println!("convolutions  load (median of 5)  per convolution");
    for n in [25, 50, 100, 200, 400] {
        let bytes = chain(n, &mut rng);
        let mut times = Vec::new();
        for _ in 0..5 {
            let start = Instant::now();
            let plan = tract_onnx::onnx()
                .model_for_read(&mut &bytes[..])?
                .into_optimized()?
                .into_runnable()?;
            times.push(start.elapsed().as_secs_f64() * 1e3);
            drop(plan);
        }
        times.sort_by(f64::total_cmp);
        let median = times[2];
        println!(
            "{n:12}  {median:14.1} ms  {:12.1} µs",
            1e3 * median / n as f64
        );
    }
    Ok(())
}
