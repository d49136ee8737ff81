//! A minimal reproduction of where tract's optimisation spent the load time of the deep bundled
//! models: in `ModelPatch::apply`, tract-core 0.23.9 `src/model/patch.rs` lines 306-318 compare
//! every node a patch adds with every node of the model (`dyn_eq`), and the `continue` there only
//! moves on to the next model node, so the node is added anyway: the search changes nothing and
//! costs patches × nodes. The optimisation of a chain of `n` convolutions therefore takes time
//! that grows faster than `n`. This prints the load time per convolution of chains of 25 to 400
//! (`model_for_read`, optimisation, `into_runnable`; medians of 5) with tract's own driver
//! (`into_optimized`) and with tract's passes driven by the engine's `optim::run`, which applies
//! patches without the search (`core::engine::optim`).
//!
//! Measured natively (2 shared cores, release build, one run, 2026-12-03):
//!
//! | convolutions | tract's driver | `engine::optim` |
//! |---|---|---|
//! | 25 | 10.6 ms (425 µs each) | 6.7 ms (270 µs each) |
//! | 100 | 61.9 ms (619 µs each) | 28.9 ms (289 µs each) |
//! | 400 | 661.5 ms (1654 µs each) | 185.7 ms (464 µs each) |
//!
//! What still grows is the check of each added node's name against every node's (tract's rule,
//! which the engine keeps).
//! This is the case to report upstream; `engine::optim` can go once tract drops the search
//! (`common::patch_comparisons` in the tests notices).
//!
//! Usage: `cargo run --release --example optimise_repro`.

use anyhow::Result;
use cnn_playground::engine::optim;
use cnn_playground::graph::{encode, GraphBuilder};
use cnn_playground::rng::Rng;
use std::time::Instant;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::optim::Optimizer;

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

/// Milliseconds to read `bytes`, optimise them and plan the run, median of 5: by tract alone
/// (`into_optimized`), or with tract's passes driven by the engine's [`optim::run`].
fn load_ms(bytes: &[u8], engine: bool) -> Result<f64> {
    let mut times = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let model = tract_onnx::onnx().model_for_read(&mut &bytes[..])?;
        let plan = if engine {
            let mut typed = model.into_typed()?;
            optim::run(&Optimizer::declutter(), &mut typed)?;
            optim::codegen(&mut typed)?;
            typed.into_runnable()?
        } else {
            model.into_optimized()?.into_runnable()?
        };
        times.push(start.elapsed().as_secs_f64() * 1e3);
        drop(plan);
    }
    times.sort_by(f64::total_cmp);
    Ok(times[2])
}

fn main() -> Result<()> {
    let mut rng = Rng::new(7);
    println!("convolutions  tract alone: load (median of 5), per convolution  engine::optim: load, per convolution");
    for n in [25, 50, 100, 200, 400] {
        let bytes = chain(n, &mut rng);
        let tract = load_ms(&bytes, false)?;
        let engine = load_ms(&bytes, true)?;
        println!(
            "{n:12}  {tract:14.1} ms  {:12.1} µs  {engine:14.1} ms  {:12.1} µs",
            1e3 * tract / n as f64,
            1e3 * engine / n as f64
        );
    }
    Ok(())
}
