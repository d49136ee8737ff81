//! Writes generated detection scenes (src/course/scenes.rs) and their training targets
//! (`scenes::training_target`: the lecture's YOLO target with `scenes::detector_spec`, plus a
//! second anchor for shapes both anchors fit) to a file for the training script
//! `data/shapes/train_detector.py`, so the detector learns from exactly the scenes and targets
//! the page and the mAP test use.
//!
//! Usage: `cargo run --example make_scenes -- <first seed> <count> <out file>`
//!
//! Format (little endian): `b"SCN2"`, u32 count, u32 size, u32 grid, u32 anchors, u32 classes,
//! f32 anchor width and height per anchor (grid cells); then per scene u32 object count, per
//! object u32 class and f32 x1, y1, x2, y2 (image fractions), the `3·size·size` image bytes (NCHW,
//! value times 255; scenes hold whole levels k/255, so this is exact) and the target, f32
//! `[grid, grid, anchors, 5 + classes]`.

use std::io::{BufWriter, Write};

use anyhow::{ensure, Context, Result};
use cnn_playground::scenes::{detector_spec, generate, training_target, SCENE_SIZE};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ensure!(
        args.len() == 3,
        "usage: make_scenes <first seed> <count> <out file>"
    );
    let first: u64 = args[0].parse().context("first seed")?;
    let count: u32 = args[1].parse().context("count")?;
    let file = std::fs::File::create(&args[2]).with_context(|| format!("create {}", args[2]))?;
    let mut out = BufWriter::new(file);
    let spec = detector_spec();
    out.write_all(b"SCN2")?;
    for v in [
        count,
        SCENE_SIZE as u32,
        spec.grid as u32,
        spec.anchors.len() as u32,
        spec.classes as u32,
    ] {
        out.write_all(&v.to_le_bytes())?;
    }
    for &(w, h) in &spec.anchors {
        out.write_all(&w.to_le_bytes())?;
        out.write_all(&h.to_le_bytes())?;
    }
    for i in 0..count as u64 {
        let scene = generate(first + i, SCENE_SIZE)?;
        out.write_all(&(scene.objects.len() as u32).to_le_bytes())?;
        for o in &scene.objects {
            out.write_all(&(o.class as u32).to_le_bytes())?;
            for v in [o.bbox.x1, o.bbox.y1, o.bbox.x2, o.bbox.y2] {
                out.write_all(&v.to_le_bytes())?;
            }
        }
        let bytes: Vec<u8> = scene
            .image
            .iter()
            .map(|v| (v * 255.0).round() as u8)
            .collect();
        out.write_all(&bytes)?;
        let target = training_target(&spec, &scene.objects)?;
        for v in &target {
            out.write_all(&v.to_le_bytes())?;
        }
    }
    out.flush()?;
    Ok(())
}
