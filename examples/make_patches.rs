//! Writes 14x14 patches (src/course/scenes.rs `patch`) and their classes for the lecture 26 training
//! script `data/shapes/train_sliding.py`.
//!
//! Usage: `cargo run --example make_patches -- <first seed> <count> <out file>`
//!
//! Format (little endian): `b"PAT1"`, u32 count, u32 size, then per patch one class byte (0-2 a
//! shape, 3 background) and `3·size·size` bytes (NCHW, value times 255, exact).

use std::io::{BufWriter, Write};

use anyhow::{ensure, Context, Result};
use cnn_playground::scenes::{patch, PATCH_SIZE};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ensure!(
        args.len() == 3,
        "usage: make_patches <first seed> <count> <out file>"
    );
    let first: u64 = args[0].parse().context("first seed")?;
    let count: u32 = args[1].parse().context("count")?;
    let mut out = BufWriter::new(std::fs::File::create(&args[2])?);
    out.write_all(b"PAT1")?;
    out.write_all(&count.to_le_bytes())?;
    out.write_all(&(PATCH_SIZE as u32).to_le_bytes())?;
    for i in 0..count as u64 {
        let (image, class) = patch(first + i, PATCH_SIZE)?;
        out.write_all(&[class as u8])?;
        let bytes: Vec<u8> = image.iter().map(|v| (v * 255.0).round() as u8).collect();
        out.write_all(&bytes)?;
    }
    out.flush()?;
    Ok(())
}
