//! Converts the face recognition network of the npm package `@vladmandic/face-api` (MIT licence;
//! `model/face_recognition_model.bin` and its weights manifest; the weights are dlib's ResNet face
//! encoder as ported to face-api.js by Vincent Mühler) to an ONNX graph built with
//! `graph::GraphBuilder`, for tract to run: `www/models/face-encoder.onnx` and its sidecar.
//!
//! Usage (see data/face/README.md): `cargo run --example convert_face_recognition -- <face-api
//! model dir> <out dir>`
//!
//! The network (face-api's `FaceRecognitionNet.forwardInput`), on a 150x150 RGB face crop:
//! conv 7x7 /2 valid + scale + ReLU → max pool 3 /2 valid → 3 residual blocks of 32 channels →
//! a down block to 64 and 3 residual blocks → down to 128 and 2 blocks → down to 256 and 2 blocks
//! → a last down block → the mean over the 2x2 positions → a 256x128 matrix: 128 numbers, the
//! face's encoding f(x). A residual block is conv 3x3 + scale + ReLU, conv 3x3 + scale, plus the
//! input, ReLU ("same" padding). A down block's first conv has stride 2 and no padding, and its
//! shortcut is a 2x2 average pool, zero-padded to the new channel count; where the two branches
//! differ in size (3x3 against 4x4, 1x1 against 2x2), the conv branch gets zeros at the bottom
//! and right, as face-api does.
//!
//! Every "scale" layer (x·w + b per channel) is folded into its convolution, and face-api's input
//! normalisation `(rgb − mean) / 255` into the first bias (exact: that convolution has no
//! padding), so the graph takes RGB in 0..1. The final matrix runs as a `Gemm` with zero bias.

use anyhow::{ensure, Result};
use cnn_playground::geometry::{output_size, AxisPad};
use cnn_playground::graph::{encode, GraphBuilder};

#[path = "shared/face_api.rs"]
mod face_api;
use face_api::{fold_mean, hwio_to_oihw, read_weights, Weights};

const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];
const SIZE: usize = 150;

struct Converter<'a> {
    weights: &'a Weights,
    g: GraphBuilder,
}

impl Converter<'_> {
    /// The conv of layer `name` (`{name}/conv/filters`, `/conv/bias`) with its scale
    /// (`{name}/scale/weights`, `/biases`) folded in: W' = W·s, b' = b·s + t.
    fn folded(&self, name: &str) -> Result<(Vec<usize>, Vec<f32>, Vec<f32>)> {
        let (shape, mut filters) = hwio_to_oihw(self.weights.get(&format!("{name}/conv/filters"))?);
        let bias = &self.weights.get(&format!("{name}/conv/bias"))?.1;
        let scale = &self.weights.get(&format!("{name}/scale/weights"))?.1;
        let shift = &self.weights.get(&format!("{name}/scale/biases"))?.1;
        let per_filter = shape[1] * shape[2] * shape[3];
        for (k, s) in scale.iter().enumerate() {
            filters[k * per_filter..(k + 1) * per_filter]
                .iter_mut()
                .for_each(|w| *w *= s);
        }
        let bias = bias
            .iter()
            .zip(scale)
            .zip(shift)
            .map(|((b, s), t)| b * s + t)
            .collect();
        Ok((shape, filters, bias))
    }

    fn conv(
        &mut self,
        x: &str,
        name: &str,
        pad: usize,
        stride: usize,
        relu: bool,
    ) -> Result<String> {
        let (shape, filters, bias) = self.folded(name)?;
        let y = self.g.conv(
            x,
            (&shape, &filters),
            Some(&bias),
            &[pad; 4],
            &[stride, stride],
            1,
        );
        Ok(if relu { self.g.relu(&y) } else { y })
    }

    fn residual(&mut self, x: &str, name: &str) -> Result<String> {
        let e = self.conv(x, &format!("{name}/conv1"), 1, 1, true)?;
        let e = self.conv(&e, &format!("{name}/conv2"), 1, 1, false)?;
        let sum = self.g.add(&e, x);
        Ok(self.g.relu(&sum))
    }

    /// A down block on `x` of `n × n × c_in`; returns the output and its side.
    fn down(&mut self, x: &str, name: &str, n: usize, c_in: usize) -> Result<(String, usize)> {
        let c_out = self.weights.get(&format!("{name}/conv1/conv/filters"))?.0[3];
        let e = self.conv(x, &format!("{name}/conv1"), 0, 2, true)?;
        let mut e = self.conv(&e, &format!("{name}/conv2"), 1, 1, false)?;
        let n_conv = output_size(n, 3, AxisPad::default(), 2)?;
        let mut r = self.g.average_pool(x, &[2, 2], &[2, 2], &[0; 4]);
        let n_pool = output_size(n, 2, AxisPad::default(), 2)?;
        if c_out != c_in {
            r = self.g.pad(&r, &[0, 0, 0, 0, 0, c_out - c_in, 0, 0]);
        }
        ensure!(
            n_conv <= n_pool,
            "{name}: conv branch {n_conv} larger than shortcut {n_pool}"
        );
        if n_conv != n_pool {
            let d = n_pool - n_conv;
            e = self.g.pad(&e, &[0, 0, 0, 0, 0, 0, d, d]);
        }
        let sum = self.g.add(&r, &e);
        Ok((self.g.relu(&sum), n_pool))
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ensure!(
        args.len() == 2,
        "usage: convert_face_recognition <face-api model dir> <out dir>"
    );
    let weights = read_weights(&args[0], "face_recognition_model")?;
    let mut c = Converter {
        weights: &weights,
        g: GraphBuilder::new("face-encoder", &[1, 3, SIZE, SIZE]),
    };

    let (shape, filters, mut bias) = c.folded("conv32_down")?;
    fold_mean(&shape, &filters, &mut bias, MEAN_RGB);
    let input = c.g.input();
    let x =
        c.g.conv(&input, (&shape, &filters), Some(&bias), &[0; 4], &[2, 2], 1);
    let x = c.g.relu(&x);
    let n = output_size(SIZE, 7, AxisPad::default(), 2)?;
    let mut x = c.g.max_pool(&x, &[3, 3], &[2, 2], &[0; 4]);
    let mut n = output_size(n, 3, AxisPad::default(), 2)?;
    let mut channels = 32;
    for block in ["conv32_1", "conv32_2", "conv32_3"] {
        x = c.residual(&x, block)?;
    }
    for (down, blocks) in [
        ("conv64_down", &["conv64_1", "conv64_2", "conv64_3"][..]),
        ("conv128_down", &["conv128_1", "conv128_2"][..]),
        ("conv256_down", &["conv256_1", "conv256_2"][..]),
        ("conv256_down_out", &[][..]),
    ] {
        let (y, side) = c.down(&x, down, n, channels)?;
        x = y;
        n = side;
        channels = c.weights.get(&format!("{down}/conv1/conv/filters"))?.0[3];
        for block in blocks {
            x = c.residual(&x, block)?;
        }
    }
    let x = c.g.global_average_pool(&x);
    let x = c.g.flatten(&x);
    let (fc_shape, fc) = c.weights.get("fc")?.clone();
    let (inputs, outputs) = (fc_shape[0], fc_shape[1]);
    // TF's [256, 128] matrix, transposed for Gemm's [out, in] with transB = 1.
    let transposed: Vec<f32> = (0..outputs)
        .flat_map(|o| (0..inputs).map(move |i| (o, i)))
        .map(|(o, i)| fc[i * outputs + o])
        .collect();
    let out =
        c.g.dense(&x, (&[outputs, inputs], &transposed), &vec![0.0; outputs]);
    let model = c.g.finish(&out);

    let dir = &args[1];
    std::fs::write(format!("{dir}/face-encoder.onnx"), encode(&model))?;
    let sidecar = format!(
        r#"{{
  "name": "face-encoder",
  "source": "face recognition network of the npm package @vladmandic/face-api 1.7.15 (model/face_recognition_model.bin), MIT licence (www/models/LICENSE-face-api.txt)",
  "converter": "examples/convert_face_recognition.rs",
  "input": {{ "shape": [1, 3, {SIZE}, {SIZE}], "layout": "NCHW RGB", "scale": "0..1 (pixel / 255)", "crop": "a square around the face" }},
  "output": {{ "shape": [1, {outputs}], "meaning": "f(x), the face's encoding; face-api calls two faces the same person below a Euclidean distance of 0.6 (d = 0.36 squared)" }},
  "threshold": 0.36
}}
"#
    );
    std::fs::write(format!("{dir}/face-encoder.json"), sidecar)?;
    println!("wrote {dir}/face-encoder.onnx: {SIZE}x{SIZE} → {outputs}, last feature map {n}x{n}x{channels}");
    Ok(())
}
