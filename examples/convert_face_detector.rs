//! Converts the Tiny Face Detector of the npm package `@vladmandic/face-api` (MIT licence; its
//! `model/tiny_face_detector_model.bin` and `-weights_manifest.json`) to an ONNX graph built with
//! `graph::GraphBuilder`, for tract to run: `www/models/face-detector.onnx` and its sidecar
//! `face-detector.json`.
//!
//! Usage (`npm pack @vladmandic/face-api` and untar it first; see data/face/README.md):
//! `cargo run --example convert_face_detector -- <face-api model dir> <input size> <out dir>`
//!
//! The network (face-api's `TinyYolov2Base.runMobilenet` with separable convolutions, the first
//! layer a plain convolution): conv 3x3 valid + leaky ReLU, then five times [max pool 2x2 "same"
//! (stride 2; stride 1 the last time), depthwise 3x3 + pointwise 1x1 with padding 1 + leaky ReLU],
//! and a 1x1 convolution to 5 anchors × 5 numbers per cell. Leaky ReLU has slope 0.1. The weights
//! are stored as uint8 with a per-tensor `scale` and `min` (value = byte·scale + min) in TF layouts
//! (HWIO), turned into ONNX's OIHW here.
//!
//! face-api feeds `(rgb − mean) / 255` with mean (117.001, 114.697, 97.404); the converted graph
//! takes RGB in 0..1 instead and folds the mean into the first bias,
//! `b' = b − Σ W·mean / 255`, which is exact because that convolution has no padding.

use anyhow::{ensure, Context, Result};
use cnn_playground::geometry::{output_size, same_padding, AxisPad};
use cnn_playground::graph::{encode, GraphBuilder};

#[path = "shared/face_api.rs"]
mod face_api;
use face_api::{depthwise, fold_mean, hwio_to_oihw, read_weights};

const MEAN_RGB: [f32; 3] = [117.001, 114.697, 97.404];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ensure!(
        args.len() == 3,
        "usage: convert_face_detector <face-api model dir> <input size> <out dir>"
    );
    let size: usize = args[1].parse().context("input size")?;
    ensure!(
        size.is_multiple_of(32),
        "the input size must be a multiple of 32, got {size}"
    );
    let w = read_weights(&args[0], "tiny_face_detector_model")?;
    let get = |name: &str| w.get(name);
    let mut g = GraphBuilder::new("tiny-face-detector", &[1, 3, size, size]);

    // conv0 with the mean folded into its bias.
    let (shape, filters) = hwio_to_oihw(get("conv0/filters")?);
    let mut bias = get("conv0/bias")?.1.clone();
    fold_mean(&shape, &filters, &mut bias, MEAN_RGB);
    let input = g.input();
    let mut x = g.conv(&input, (&shape, &filters), Some(&bias), &[0; 4], &[1, 1], 1);
    x = g.leaky_relu(&x, 0.1);
    let mut n = output_size(size, 3, AxisPad::default(), 1)?;

    for layer in 1..=5 {
        let stride = 2;
        let pad = same_padding(n, 2, stride)?;
        x = g.max_pool(
            &x,
            &[2, 2],
            &[stride, stride],
            &[pad.before, pad.before, pad.after, pad.after],
        );
        n = output_size(n, 2, pad, stride)?;
        let dw = depthwise(get(&format!("conv{layer}/depthwise_filter"))?);
        let pw = hwio_to_oihw(get(&format!("conv{layer}/pointwise_filter"))?);
        let b = &get(&format!("conv{layer}/bias"))?.1;
        x = g.conv(&x, (&dw.0, &dw.1), None, &[1; 4], &[1, 1], dw.0[0]);
        x = g.conv(&x, (&pw.0, &pw.1), Some(b), &[0; 4], &[1, 1], 1);
        x = g.leaky_relu(&x, 0.1);
    }
    let pad = same_padding(n, 2, 1)?;
    x = g.max_pool(
        &x,
        &[2, 2],
        &[1, 1],
        &[pad.before, pad.before, pad.after, pad.after],
    );
    n = output_size(n, 2, pad, 1)?;
    let head = hwio_to_oihw(get("conv8/filters")?);
    let out = g.conv(
        &x,
        (&head.0, &head.1),
        Some(&get("conv8/bias")?.1),
        &[0; 4],
        &[1, 1],
        1,
    );
    let model = g.finish(&out);

    let dir = &args[2];
    std::fs::write(format!("{dir}/face-detector.onnx"), encode(&model))?;
    let anchors = cnn_playground::detector::face_detector_spec().anchors.len();
    let sidecar = format!(
        r#"{{
  "name": "face-detector",
  "source": "Tiny Face Detector of the npm package @vladmandic/face-api (model/tiny_face_detector_model.bin), MIT licence (www/models/LICENSE-face-api.txt)",
  "converter": "examples/convert_face_detector.rs",
  "input": {{ "shape": [1, 3, {size}, {size}], "layout": "NCHW RGB", "scale": "0..1 (pixel / 255)", "fit": "scaled to fit a square, padded with black at the bottom and right" }},
  "output": {{ "shape": [1, 25, {n}, {n}], "layout": "channel a·5 + field, fields [t_x, t_y, t_w, t_h, t_o]" }},
  "gridAndAnchors": "detector::face_detector_spec() in src/course/detector.rs ({n}x{n} cells, {} anchors), the one place they are written",
  "classes": ["face"],
  "classLogits": false,
  "iouThreshold": 0.4
}}
"#,
        anchors
    );
    std::fs::write(format!("{dir}/face-detector.json"), sidecar)?;
    println!("wrote {dir}/face-detector.onnx: input {size}x{size}, grid {n}x{n}");
    Ok(())
}
