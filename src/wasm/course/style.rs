//! Neural style transfer ([`crate::course::style`]).

use js_sys::{Array, Float32Array, Object};
use wasm_bindgen::prelude::*;

use crate::course::style;
use crate::course::style::Layer;
use crate::wasm::convert::*;
use crate::wasm::core::engine::JsModel;
use crate::wasm::{core_error, JsResult};

fn layer(name: &str, v: &JsValue) -> JsResult<Layer> {
    match v.as_string().as_deref() {
        Some("relu") => Ok(Layer::Relu),
        Some("pool") => Ok(Layer::Pool),
        _ => Err(JsError::new(&format!(
            "{name} must be \"relu\" or \"pool\""
        ))),
    }
}

fn costs_object(c: &style::Costs) -> JsResult<Object> {
    let obj = Object::new();
    set(&obj, "content", c.content)?;
    set(&obj, "style", c.style)?;
    set(&obj, "total", c.total)?;
    let layers: Array = c.style_layers.iter().map(|&v| JsValue::from(v)).collect();
    set(&obj, "styleLayers", layers)?;
    Ok(obj)
}

/// The generated style image of diagonal stripes (`style::stripes`): `[3, size, size]` in 0..1.
#[wasm_bindgen(js_name = styleStripes)]
pub fn style_stripes(size: JsValue) -> JsResult<Float32Array> {
    let image = style::stripes(whole("size", &size)?).map_err(core_error)?;
    Ok(Float32Array::from(image.as_slice()))
}

/// Gradient descent on a generated image G (lecture 40) for one content and one style image.
#[wasm_bindgen(js_name = StyleTransfer)]
pub struct JsStyleTransfer {
    generator: style::Generator,
    k: usize,
}

impl std::fmt::Debug for JsStyleTransfer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "StyleTransfer after {} steps",
            self.generator.iterations()
        )
    }
}

/// Most steps one `step` call takes, so that a call returns within seconds (the widget takes a
/// few per frame).
const MAX_STEPS_PER_CALL: usize = 2000;

#[wasm_bindgen(js_class = StyleTransfer)]
impl JsStyleTransfer {
    /// `options`: `model` (ONNX bytes) and `node` (its first conv, e.g. `"/conv1/Conv"`, whose
    /// weights the backward pass uses), `size`, `content` and `style` (`[3, size, size]` in
    /// 0..1), `contentLayer` (`"relu"` or `"pool"`), `styleLayers` (`[{ layer, lambda }]`),
    /// `alpha`, `beta`, `start` (`"noise"` or `"content"`), `seed` and `rate` (Adam's step).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> JsResult<JsStyleTransfer> {
        crate::wasm::convert::options_object(&options, "new StyleTransfer")?;
        let get = |k: &str| field(&options, k);
        let bytes = crate::wasm::convert::bytes("model", &get("model"))?;
        let node = get("node")
            .as_string()
            .unwrap_or_else(|| "/conv1/Conv".into());
        let (shape, weight, bias) =
            crate::core::engine::conv_weights(&bytes, &node).map_err(core_error)?;
        let net = style::ConvWeights::new(&shape, weight, bias).map_err(core_error)?;
        let k = net.k;
        let size = whole("size", &get("size"))?;
        let content = floats("content", &get("content"))?;
        let style_image = floats("style", &get("style"))?;
        let layers = items("styleLayers", &get("styleLayers"))?
            .iter()
            .map(|l| {
                Ok((
                    layer("styleLayers[].layer", &field(l, "layer"))?,
                    number("lambda", &field(l, "lambda"))?,
                ))
            })
            .collect::<JsResult<Vec<_>>>()?;
        let problem = style::Problem::new(
            net,
            size,
            (&content, layer("contentLayer", &get("contentLayer"))?),
            &style_image,
            &layers,
            number("alpha", &get("alpha"))?,
            number("beta", &get("beta"))?,
        )
        .map_err(core_error)?;
        let start = match get("start").as_string().as_deref() {
            Some("content") => Some(content.as_slice()),
            None | Some("noise") => None,
            Some(other) => {
                return Err(JsError::new(&format!(
                    "start must be \"noise\" or \"content\", got {other:?}"
                )))
            }
        };
        let seed = if is_missing(&get("seed")) {
            1
        } else {
            whole("seed", &get("seed"))? as u64
        };
        let rate = if is_missing(&get("rate")) {
            0.02
        } else {
            number("rate", &get("rate"))?
        };
        let generator = style::Generator::new(problem, start, seed, rate).map_err(core_error)?;
        Ok(JsStyleTransfer { generator, k })
    }

    /// Takes `n` gradient steps (0 to [`MAX_STEPS_PER_CALL`]); returns the costs before the last
    /// one (for `n = 0`, of the current G): `{ content, style, styleLayers, total }`.
    pub fn step(&mut self, n: JsValue) -> JsResult<Object> {
        let n = whole("n", &n)?;
        if n > MAX_STEPS_PER_CALL {
            return Err(JsError::new(&format!(
                "step takes at most {MAX_STEPS_PER_CALL} steps per call (each one runs the network twice), got {n}: call it again for more"
            )));
        }
        if n == 0 {
            return self.costs();
        }
        let mut last = None;
        for _ in 0..n {
            last = Some(self.generator.step().map_err(core_error)?);
        }
        costs_object(last.as_ref().ok_or_else(|| JsError::new("no step taken"))?)
    }

    /// The costs of the current G.
    pub fn costs(&self) -> JsResult<Object> {
        costs_object(
            &self
                .generator
                .problem()
                .costs(self.generator.image())
                .map_err(core_error)?,
        )
    }

    /// Steps taken so far.
    #[wasm_bindgen(getter)]
    pub fn iterations(&self) -> usize {
        self.generator.iterations()
    }

    /// The current G as a `[3, size, size]` `Float32Array`.
    pub fn image(&self) -> Float32Array {
        Float32Array::from(self.generator.image())
    }

    /// The Gram matrices (`k × k`) of S and of the current G at the `i`-th style layer:
    /// `{ channels, style, generated }`.
    pub fn grams(&self, i: JsValue) -> JsResult<Object> {
        let i = whole("i", &i)?;
        let p = self.generator.problem();
        let s = p
            .style_gram(i)
            .ok_or_else(|| JsError::new(&format!("there is no style layer {i}")))?;
        let fw = style::forward_of(p, self.generator.image()).map_err(core_error)?;
        let g = style::gram(
            fw.layer(p.style_layer(i).unwrap_or(Layer::Relu), self.k).0,
            self.k,
        )
        .map_err(core_error)?;
        let obj = Object::new();
        set(&obj, "channels", self.k as f64)?;
        set(&obj, "style", Float32Array::from(s.as_slice()))?;
        set(&obj, "generated", Float32Array::from(g.as_slice()))?;
        Ok(obj)
    }
}

/// The costs of lectures 41-42 from tract's activations of `model` (loaded for `[1, c, h, w]`):
/// `options` holds `content`, `style` and `generated` images, `contentLayer` (a layer index of
/// `model.layers()`), `styleLayers` (`[{ layer, lambda }]` with layer indices), `alpha`, `beta`.
/// Returns `{ content, style, styleLayers, total }`.
#[wasm_bindgen(js_name = styleCosts)]
pub fn style_costs(model: &JsModel, options: JsValue) -> JsResult<Object> {
    crate::wasm::convert::options_object(&options, "styleCosts")?;
    let get = |k: &str| field(&options, k);
    let run = |image: &str, layer: usize| -> JsResult<crate::core::ops::Output> {
        model
            .model
            .layer_output(&floats(image, &get(image))?, layer)
            .map_err(core_error)
    };
    let content_layer = whole("contentLayer", &get("contentLayer"))?;
    let content = style::content_cost(
        &run("content", content_layer)?.data,
        &run("generated", content_layer)?.data,
    )
    .map_err(core_error)?;
    let mut layers = Vec::new();
    let mut total_style = 0.0;
    for l in items("styleLayers", &get("styleLayers"))? {
        let index = whole("styleLayers[].layer", &field(&l, "layer"))?;
        let lambda = number("lambda", &field(&l, "lambda"))?;
        let (s, g) = (run("style", index)?, run("generated", index)?);
        let [_, c, h, w] = s.shape[..] else {
            return Err(JsError::new(&format!(
                "layer {index} is not a [1, c, h, w] feature map"
            )));
        };
        let cost = style::style_layer_cost(
            &style::gram(&s.data, c).map_err(core_error)?,
            &style::gram(&g.data, c).map_err(core_error)?,
            [h, w, c],
        )
        .map_err(core_error)?;
        total_style += f64::from(lambda) * cost;
        layers.push(cost);
    }
    let alpha = f64::from(number("alpha", &get("alpha"))?);
    let beta = f64::from(number("beta", &get("beta"))?);
    costs_object(&style::Costs {
        content,
        style_layers: layers,
        style: total_style,
        total: alpha * content + beta * total_style,
    })
}
