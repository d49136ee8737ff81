//! Writes lecture 26's training data for `data/shapes/train_sliding.py`: 14x14 patches
//! (src/course/scenes.rs `patch`) with their classes, or 28x28 mosaics (`patch_mosaic`) with the
//! class of each of their 64 windows (`window_labels`, windows of 14 at stride 2).
//!
//! Usage: `cargo run --example make_patches -- [patches|mosaics] <first seed> <count> <out file>`
//! (mosaic `i` is `patch_mosaic(first + 4·i)`).
//!
//! Format (little endian): `b"PAT1"` or `b"MOS1"`, u32 count, u32 side, then per item its labels
//! (one class byte for a patch, 64 for a mosaic, row-major; 0-2 a shape, 3 background) and
//! `3·side·side` bytes (NCHW, value times 255, exact).

use std::io::{BufWriter, Write};

use anyhow::{bail, ensure, Context, Result};
use cnn_playground::scenes::{patch, patch_mosaic, window_labels, PATCH_SIZE};

fn main() -> Result<()> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() == 3 {
        args.insert(0, "patches".into());
    }
    ensure!(
        args.len() == 4,
        "usage: make_patches [patches|mosaics] <first seed> <count> <out file>"
    );
    let first: u64 = args[1].parse().context("first seed")?;
    let count: u32 = args[2].parse().context("count")?;
    let mut out = BufWriter::new(std::fs::File::create(&args[3])?);
    let bytes =
        |image: &[f32]| -> Vec<u8> { image.iter().map(|v| (v * 255.0).round() as u8).collect() };
    match args[0].as_str() {
        "patches" => {
            out.write_all(b"PAT1")?;
            out.write_all(&count.to_le_bytes())?;
            out.write_all(&(PATCH_SIZE as u32).to_le_bytes())?;
            for i in 0..count as u64 {
                let (image, class) = patch(first + i, PATCH_SIZE)?;
                out.write_all(&[class as u8])?;
                out.write_all(&bytes(&image))?;
            }
        }
        "mosaics" => {
            out.write_all(b"MOS1")?;
            out.write_all(&count.to_le_bytes())?;
            out.write_all(&(2 * PATCH_SIZE as u32).to_le_bytes())?;
            for i in 0..count as u64 {
                let m = patch_mosaic(first + 4 * i, PATCH_SIZE)?;
                let labels: Vec<u8> = window_labels(&m, PATCH_SIZE, 2)?
                    .into_iter()
                    .map(|l| l as u8)
                    .collect();
                out.write_all(&labels)?;
                out.write_all(&bytes(&m.image))?;
            }
        }
        other => bail!("make_patches writes patches or mosaics, not {other:?}"),
    }
    out.flush()?;
    Ok(())
}
