//! Reading the weights of face-api's models (`@vladmandic/face-api`, MIT): a JSON manifest and a
//! `.bin` file holding every weight in manifest order, either uint8-quantised (value =
//! byte·scale + min) or raw little-endian f32; TF layouts turned into ONNX's. Shared by the
//! converters in `examples/` (`#[path = "shared/face_api.rs"] mod face_api;`), each of which uses
//! some of it.
#![allow(dead_code)]

use std::collections::HashMap;

use anyhow::{bail, ensure, Context, Result};
use serde_json::Value;

/// A weight: its shape and values.
pub type Weight = (Vec<usize>, Vec<f32>);

/// A model's weights by name.
pub struct Weights(HashMap<String, Weight>);

impl Weights {
    /// The weight called `name`, or an error naming it.
    pub fn get(&self, name: &str) -> Result<&Weight> {
        self.0
            .get(name)
            .with_context(|| format!("no weight {name}"))
    }
}

/// The dequantised weights of model `name` in `dir` (`{name}-weights_manifest.json` and
/// `{name}.bin`), by weight name, with their TF shapes.
pub fn read_weights(dir: &str, name: &str) -> Result<Weights> {
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}/{name}-weights_manifest.json"))
            .context("read the weights manifest")?,
    )?;
    let bin = std::fs::read(format!("{dir}/{name}.bin")).context("read the weights")?;
    let mut at = 0;
    let mut weights = HashMap::new();
    for group in manifest.as_array().context("manifest is not a list")? {
        for w in group["weights"].as_array().context("no weights")? {
            let name = w["name"].as_str().context("weight without a name")?;
            let shape: Vec<usize> = w["shape"]
                .as_array()
                .context("weight without a shape")?
                .iter()
                .map(|d| d.as_u64().map(|d| d as usize).context("bad dimension"))
                .collect::<Result<_>>()?;
            let n: usize = shape.iter().product();
            let q = &w["quantization"];
            let values: Vec<f32> = if q["dtype"] == "uint8" {
                let (scale, min) = (
                    q["scale"].as_f64().context("scale")? as f32,
                    q["min"].as_f64().context("min")? as f32,
                );
                let bytes = bin.get(at..at + n).context("weights file too short")?;
                at += n;
                bytes.iter().map(|&b| b as f32 * scale + min).collect()
            } else if q.is_null() && w["dtype"] == "float32" {
                let bytes = bin.get(at..at + 4 * n).context("weights file too short")?;
                at += 4 * n;
                bytes
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect()
            } else {
                bail!("weight {name} is neither uint8-quantised nor float32: {q}");
            };
            weights.insert(name.to_string(), (shape, values));
        }
    }
    ensure!(at == bin.len(), "read {at} of {} weight bytes", bin.len());
    Ok(Weights(weights))
}

/// TF `[h, w, in, out]` → ONNX `[out, in, h, w]`.
pub fn hwio_to_oihw((shape, data): &Weight) -> Weight {
    let [h, w, i, o] = [shape[0], shape[1], shape[2], shape[3]];
    let mut out = vec![0.0; data.len()];
    for y in 0..h {
        for x in 0..w {
            for c in 0..i {
                for k in 0..o {
                    out[((k * i + c) * h + y) * w + x] = data[((y * w + x) * i + c) * o + k];
                }
            }
        }
    }
    (vec![o, i, h, w], out)
}

/// TF depthwise `[h, w, c, 1]` → ONNX grouped `[c, 1, h, w]`.
pub fn depthwise((shape, data): &Weight) -> Weight {
    let (_, o) = hwio_to_oihw(&(vec![shape[0], shape[1], 1, shape[2]], data.clone()));
    (vec![shape[2], 1, shape[0], shape[1]], o)
}

/// Folds face-api's input normalisation `(rgb − mean) / 255` into the bias of a first convolution
/// without padding (exact there), so the graph takes RGB in 0..1: `b' = b − Σ W·mean / 255`.
pub fn fold_mean(shape: &[usize], filters: &[f32], bias: &mut [f32], mean: [f32; 3]) {
    let per_filter = shape[1] * shape[2] * shape[3];
    let plane = shape[2] * shape[3];
    for (k, b) in bias.iter_mut().enumerate() {
        let f = &filters[k * per_filter..(k + 1) * per_filter];
        *b -= (0..3)
            .map(|c| f[c * plane..(c + 1) * plane].iter().sum::<f32>() * mean[c] / 255.0)
            .sum::<f32>();
    }
}
