//! Converts the 68-point face landmark network of the npm package `@vladmandic/face-api` (MIT
//! licence; `model/face_landmark_68_model.bin` and its weights manifest, trained by Vincent Mühler
//! for face-api.js) to an ONNX graph built with `graph::GraphBuilder`, for tract to run:
//! `www/models/face-landmarks.onnx` and its sidecar.
//!
//! Usage (see data/face/README.md): `cargo run --example convert_face_landmarks -- <face-api
//! model dir> <out dir>`
//!
//! The network (face-api's `FaceFeatureExtractor.forwardInput` and `FaceProcessor.runNet`), on a
//! 112x112 RGB face crop: four dense blocks of 32, 64, 128 and 256 channels, each halving the
//! size (112 → 56 → 28 → 14 → 7), then a 7x7 average pool and a 256x136 matrix. A dense block:
//! `o1 = relu(c0(x))` with stride 2 (a plain 3x3 convolution in the first block, a separable one
//! after), `o2 = c1(o1)`, `o3 = c2(relu(o1 + o2))`, `o4 = c3(relu(o1 + o2 + o3))`, and out
//! `relu(o1 + o2 + o3 + o4)`; `c1`-`c3` are separable 3x3 convolutions (depthwise 3x3, pointwise
//! 1x1 with a bias), all with TF's "same" padding. The 136 outputs are `(x, y)` of the 68 points
//! as fractions of the crop, in the iBUG 300-W order (jaw 0-16, brows 17-26, nose 27-35, eyes
//! 36-47, mouth 48-67).
//!
//! face-api feeds `(rgb − mean) / 255` with mean (122.782, 117.001, 104.298). The first
//! convolution pads, so the mean cannot be folded into its bias exactly (the padding would then be
//! black instead of the mean colour); the graph takes RGB in 0..1 and subtracts `mean / 255` per
//! channel in a first `Mul`/`Add` pair.

use anyhow::{ensure, Result};
use cnn_playground::geometry::{output_size, same_padding};
use cnn_playground::graph::{encode, GraphBuilder};

#[path = "shared/face_api.rs"]
mod face_api;
use face_api::{depthwise, hwio_to_oihw, read_weights, Weights};

const MEAN_RGB: [f32; 3] = [122.782, 117.001, 104.298];
const SIZE: usize = 112;

struct Converter<'a> {
    weights: &'a Weights,
    g: GraphBuilder,
}

impl Converter<'_> {
    /// TF's "same" padding of a 3x3 window over `n` at `stride`, as ONNX pads `[t, l, b, r]`.
    fn same(n: usize, stride: usize) -> Result<[usize; 4]> {
        let p = same_padding(n, 3, stride)?;
        Ok([p.before, p.before, p.after, p.after])
    }

    /// face-api's `depthwiseSeparableConv` of layer `name` over an `n x n` input.
    fn separable(&mut self, x: &str, name: &str, n: usize, stride: usize) -> Result<String> {
        let dw = depthwise(self.weights.get(&format!("{name}/depthwise_filter"))?);
        let pw = hwio_to_oihw(self.weights.get(&format!("{name}/pointwise_filter"))?);
        let bias = self.weights.get(&format!("{name}/bias"))?.1.clone();
        let pads = Self::same(n, stride)?;
        let y = self
            .g
            .conv(x, (&dw.0, &dw.1), None, &pads, &[stride, stride], dw.0[0]);
        Ok(self
            .g
            .conv(&y, (&pw.0, &pw.1), Some(&bias), &[0; 4], &[1, 1], 1))
    }

    /// face-api's `denseBlock4` of block `name` over an `n x n` input; returns the output and its
    /// side.
    fn dense_block(
        &mut self,
        x: &str,
        name: &str,
        n: usize,
        first: bool,
    ) -> Result<(String, usize)> {
        let o1 = if first {
            let (shape, filters) =
                hwio_to_oihw(self.weights.get(&format!("{name}/conv0/filters"))?);
            let bias = self.weights.get(&format!("{name}/conv0/bias"))?.1.clone();
            let pads = Self::same(n, 2)?;
            self.g
                .conv(x, (&shape, &filters), Some(&bias), &pads, &[2, 2], 1)
        } else {
            self.separable(x, &format!("{name}/conv0"), n, 2)?
        };
        let o1 = self.g.relu(&o1);
        let pad = same_padding(n, 3, 2)?;
        let m = output_size(n, 3, pad, 2)?;
        let o2 = self.separable(&o1, &format!("{name}/conv1"), m, 1)?;
        let s12 = self.g.add(&o1, &o2);
        let in3 = self.g.relu(&s12);
        let o3 = self.separable(&in3, &format!("{name}/conv2"), m, 1)?;
        // face-api adds o1 + (o2 + o3): the same sums, in its order.
        let s23 = self.g.add(&o2, &o3);
        let s123 = self.g.add(&o1, &s23);
        let in4 = self.g.relu(&s123);
        let o4 = self.separable(&in4, &format!("{name}/conv3"), m, 1)?;
        let s34 = self.g.add(&o3, &o4);
        let s234 = self.g.add(&o2, &s34);
        let s1234 = self.g.add(&o1, &s234);
        Ok((self.g.relu(&s1234), m))
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    ensure!(
        args.len() == 2,
        "usage: convert_face_landmarks <face-api model dir> <out dir>"
    );
    let weights = read_weights(&args[0], "face_landmark_68_model")?;
    let mut c = Converter {
        weights: &weights,
        g: GraphBuilder::new("face-landmarks-68", &[1, 3, SIZE, SIZE]),
    };
    let input = c.g.input();
    let shift: Vec<f32> = MEAN_RGB.iter().map(|m| -m / 255.0).collect();
    let mut x = c.g.scale_shift(&input, &[1.0; 3], &shift, 3);
    let mut n = SIZE;
    for (k, block) in ["dense0", "dense1", "dense2", "dense3"].iter().enumerate() {
        (x, n) = c.dense_block(&x, block, n, k == 0)?;
    }
    ensure!(n == 7, "the dense blocks end at {n}x{n}, not 7x7");
    x = c.g.average_pool(&x, &[7, 7], &[2, 2], &[0; 4]);
    x = c.g.flatten(&x);
    let (shape, fc) = c.weights.get("fc/weights")?.clone();
    let (inputs, units) = (shape[0], shape[1]);
    // TF's [inputs, units] → Gemm's [units, inputs].
    let mut transposed = vec![0.0; fc.len()];
    for i in 0..inputs {
        for u in 0..units {
            transposed[u * inputs + i] = fc[i * units + u];
        }
    }
    let bias = c.weights.get("fc/bias")?.1.clone();
    let out = c.g.dense(&x, (&[units, inputs], &transposed), &bias);
    let model = c.g.finish(&out);

    let dir = &args[1];
    std::fs::write(format!("{dir}/face-landmarks.onnx"), encode(&model))?;
    let sidecar = format!(
        r#"{{
  "name": "face-landmarks",
  "source": "68-point face landmark network of the npm package @vladmandic/face-api (model/face_landmark_68_model.bin), MIT licence (www/models/LICENSE-face-api.txt)",
  "converter": "examples/convert_face_landmarks.rs",
  "input": {{ "shape": [1, 3, {SIZE}, {SIZE}], "layout": "NCHW RGB", "scale": "0..1 (pixel / 255)", "fit": "the face box padded to a square (black, centred), then scaled" }},
  "output": {{ "shape": [1, {units}], "layout": "x0, y0, x1, y1, … of 68 points as fractions of the square, iBUG 300-W order" }}
}}
"#
    );
    std::fs::write(format!("{dir}/face-landmarks.json"), sidecar)?;
    println!("wrote {dir}/face-landmarks.onnx: input {SIZE}x{SIZE}, {units} outputs");
    Ok(())
}
