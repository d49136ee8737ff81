//! What the fuzz targets share: the model path every loaded file takes, a structure-aware graph
//! description that encodes to ONNX, and the facade's numeric calls.
//!
//! Numbers are drawn from [`Num`], which mixes small values with the boundaries that broke earlier
//! builds (0, −1, 4096/4097, 2^31, `u32::MAX`, `i64::MAX`), so mutations reach them quickly.

use arbitrary::Arbitrary;
use prost::Message;
use tract_onnx::pb;
use tract_onnx::pb::attribute_proto::AttributeType;
use tract_onnx::pb::tensor_proto::DataType;

use cnn_playground::core::engine::Model;
use cnn_playground::core::geometry::{self, AxisPad, Padding};
use cnn_playground::core::ops::{Conv, Pool, PoolMode};
use cnn_playground::core::{image, reference};
use cnn_playground::course::{augment, detect, network};

/// Loads `bytes` as the page does, then reads its layer table and runs it once on zeros. Errors are
/// fine; a panic, an abort, a hang or a huge allocation is what libFuzzer reports.
pub fn exercise_model(bytes: &[u8]) {
    let Ok(model) = Model::load(bytes) else {
        return;
    };
    let _ = model.layers().map(|layers| layers.len());
    let n: usize = model.input_shape().iter().product();
    let _ = model.run(&vec![0.0; n]);
}

/// A number with its boundaries over-represented.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Num {
    Small(u8),
    Zero,
    One,
    MinusOne,
    Side,
    PastSide,
    Pow31,
    U32Max,
    I64Max,
    I64Min,
}

impl Num {
    pub fn i64(self) -> i64 {
        match self {
            Num::Small(v) => i64::from(v % 16),
            Num::Zero => 0,
            Num::One => 1,
            Num::MinusOne => -1,
            Num::Side => 4096,
            Num::PastSide => 4097,
            Num::Pow31 => 1 << 31,
            Num::U32Max => u32::MAX as i64,
            Num::I64Max => i64::MAX,
            Num::I64Min => i64::MIN,
        }
    }

    /// As a `usize` the way the facade produces one (whole numbers ≥ 0 up to `u32::MAX`).
    pub fn usize(self) -> usize {
        self.i64().clamp(0, u32::MAX as i64) as usize
    }
}

#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Op {
    Conv,
    MaxPool,
    AveragePool,
    GlobalAveragePool,
    Relu,
    Add,
    Concat,
    Flatten,
    Gemm,
    MatMul,
    Reshape,
    ConstantOfShape,
    Transpose,
    Split,
    Pad,
    BatchNormalization,
    Softmax,
    Slice,
    Gather,
    Unsqueeze,
    Resize,
    Expand,
    Range,
    Frobnicate,
}

#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum AttrName {
    KernelShape,
    Strides,
    Pads,
    Dilations,
    Group,
    Axis,
    Axes,
    Perm,
    AutoPad,
    Split,
    TransB,
    CeilMode,
    Value,
}

impl AttrName {
    fn text(self) -> &'static str {
        match self {
            AttrName::KernelShape => "kernel_shape",
            AttrName::Strides => "strides",
            AttrName::Pads => "pads",
            AttrName::Dilations => "dilations",
            AttrName::Group => "group",
            AttrName::Axis => "axis",
            AttrName::Axes => "axes",
            AttrName::Perm => "perm",
            AttrName::AutoPad => "auto_pad",
            AttrName::Split => "split",
            AttrName::TransB => "transB",
            AttrName::CeilMode => "ceil_mode",
            AttrName::Value => "value",
        }
    }
}

#[derive(Arbitrary, Clone, Debug)]
pub enum AttrValue {
    Int(Num),
    Ints(Vec<Num>),
    AutoPad(u8),
    Tensor(Init),
}

#[derive(Arbitrary, Clone, Debug)]
pub struct Attr {
    pub name: AttrName,
    pub value: AttrValue,
}

/// A node: its op, its inputs as indices into every value name of the graph (the input, the
/// initializers and every node's output, later ones included, so cycles happen), its attributes.
#[derive(Arbitrary, Clone, Debug)]
pub struct Node {
    pub op: Op,
    pub inputs: Vec<u8>,
    pub attrs: Vec<Attr>,
}

#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum ElemType {
    Float,
    Int64,
    String,
    Bogus(u8),
}

/// An initializer (or a `value` attribute): its dims, its type, and whether its data matches.
#[derive(Arbitrary, Clone, Debug)]
pub struct Init {
    pub dims: Vec<Num>,
    pub elem: ElemType,
    pub right_length: bool,
}

#[derive(Arbitrary, Clone, Debug)]
pub enum InputDim {
    Value(Num),
    Symbol,
    Missing,
}

#[derive(Arbitrary, Clone, Debug)]
pub struct Graph {
    pub input: Vec<InputDim>,
    pub inits: Vec<Init>,
    pub nodes: Vec<Node>,
    /// Index of the graph output among the value names; past the end names a value nobody makes.
    pub output: u8,
    pub no_outputs: bool,
}

fn tensor(name: &str, init: &Init) -> pb::TensorProto {
    let dims: Vec<i64> = init.dims.iter().take(5).map(|d| d.i64()).collect();
    let count = dims
        .iter()
        .try_fold(1i64, |acc, &d| if d >= 0 { acc.checked_mul(d) } else { None })
        .filter(|&n| n <= 4096)
        .unwrap_or(1) as usize;
    let n = if init.right_length { count } else { count + 1 };
    let mut t = pb::TensorProto {
        name: name.into(),
        dims,
        ..Default::default()
    };
    match init.elem {
        ElemType::Float => {
            t.data_type = DataType::Float as i32;
            t.float_data = vec![0.5; n];
        }
        ElemType::Int64 => {
            t.data_type = DataType::Int64 as i32;
            t.int64_data = (0..n as i64).collect();
        }
        ElemType::String => {
            t.data_type = DataType::String as i32;
            t.string_data = vec![b"w".to_vec(); n];
        }
        ElemType::Bogus(v) => {
            t.data_type = i32::from(v);
            t.raw_data = vec![0; n * 4];
        }
    }
    t
}

fn attribute(a: &Attr) -> pb::AttributeProto {
    let mut p = pb::AttributeProto {
        name: a.name.text().into(),
        ..Default::default()
    };
    match &a.value {
        AttrValue::Int(v) => {
            p.r#type = AttributeType::Int as i32;
            p.i = v.i64();
        }
        AttrValue::Ints(v) => {
            p.r#type = AttributeType::Ints as i32;
            p.ints = v.iter().take(8).map(|d| d.i64()).collect();
        }
        AttrValue::AutoPad(k) => {
            p.r#type = AttributeType::String as i32;
            p.s = ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER", "bogus"][usize::from(*k % 5)]
                .as_bytes()
                .to_vec();
        }
        AttrValue::Tensor(init) => {
            p.r#type = AttributeType::Tensor as i32;
            p.t = Some(tensor("", init));
        }
    }
    p
}

impl Graph {
    /// The graph as the bytes of an `.onnx` file (opset 13).
    pub fn encode(&self) -> Vec<u8> {
        use pb::tensor_shape_proto::{dimension::Value, Dimension};
        let inits: Vec<_> = self
            .inits
            .iter()
            .take(6)
            .enumerate()
            .map(|(i, init)| tensor(&format!("w{i}"), init))
            .collect();
        let nodes: Vec<_> = self.nodes.iter().take(8).collect();
        let mut names = vec!["input".to_string()];
        names.extend(inits.iter().map(|t| t.name.clone()));
        names.extend((0..nodes.len()).map(|i| format!("v{i}")));
        let node_protos = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| pb::NodeProto {
                name: format!("n{i}"),
                op_type: format!("{:?}", n.op),
                input: n
                    .inputs
                    .iter()
                    .take(4)
                    .map(|&k| {
                        names
                            .get(usize::from(k) % (names.len() + 1))
                            .cloned()
                            .unwrap_or_default()
                    })
                    .collect(),
                output: vec![format!("v{i}")],
                attribute: n.attrs.iter().take(6).map(attribute).collect(),
                ..Default::default()
            })
            .collect();
        let dim = self
            .input
            .iter()
            .take(6)
            .map(|d| Dimension {
                value: match d {
                    InputDim::Value(v) => Some(Value::DimValue(v.i64())),
                    InputDim::Symbol => Some(Value::DimParam("N".into())),
                    InputDim::Missing => None,
                },
                ..Default::default()
            })
            .collect();
        let value = |name: &str, shape: Option<pb::TensorShapeProto>| pb::ValueInfoProto {
            name: name.into(),
            r#type: Some(pb::TypeProto {
                value: Some(pb::type_proto::Value::TensorType(pb::type_proto::Tensor {
                    elem_type: DataType::Float as i32,
                    shape,
                })),
                ..Default::default()
            }),
            ..Default::default()
        };
        let output = names
            .get(usize::from(self.output) % (names.len() + 1))
            .cloned()
            .unwrap_or_else(|| "nobody".into());
        pb::ModelProto {
            ir_version: 8,
            opset_import: vec![pb::OperatorSetIdProto {
                domain: String::new(),
                version: 13,
            }],
            graph: Some(pb::GraphProto {
                name: "fuzz".into(),
                node: node_protos,
                initializer: inits,
                input: vec![value("input", Some(pb::TensorShapeProto { dim }))],
                output: if self.no_outputs {
                    vec![]
                } else {
                    vec![value(&output, None)]
                },
                ..Default::default()
            }),
            ..Default::default()
        }
        .encode_to_vec()
    }
}

#[derive(Arbitrary, Clone, Debug)]
pub enum Pad {
    Valid,
    Same,
    SameLower,
    Uniform(Num),
    PerAxis(Vec<(Num, Num)>),
}

impl Pad {
    fn padding(&self) -> Padding {
        match self {
            Pad::Valid => Padding::Valid,
            Pad::Same => Padding::Same,
            Pad::SameLower => Padding::SameLower,
            Pad::Uniform(p) => Padding::Uniform(p.usize()),
            Pad::PerAxis(v) => Padding::PerAxis(
                v.iter()
                    .take(4)
                    .map(|(b, a)| AxisPad {
                        before: b.usize(),
                        after: a.usize(),
                    })
                    .collect(),
            ),
        }
    }
}

/// Values for a tensor of `shape`: all of them when the shape is small, otherwise a few (a JS
/// caller's array is short; a shape that promises more must be refused, not trusted).
fn data(shape: &[usize], short: bool) -> Vec<f32> {
    let n = geometry::element_count(shape)
        .filter(|&n| n <= 1 << 14)
        .unwrap_or(3);
    vec![0.5; if short { n.saturating_sub(1) } else { n }]
}

#[derive(Arbitrary, Clone, Debug)]
pub enum LayerSpec {
    Conv(Num, Num, Num, Num),
    Pool(bool, Num, Num),
    Flatten,
    Dense(Num),
}

#[derive(Arbitrary, Clone, Debug)]
pub enum AugmentSpec {
    Mirror,
    Crop(f32, f32, f32),
    Rotate(f32),
    Shear(f32),
    Warp(f32, u64),
    ColourShift([f32; 3]),
    PcaColour([f32; 3]),
}

/// One facade call with the numbers a JavaScript caller could pass.
#[derive(Arbitrary, Clone, Debug)]
pub enum ApiCall {
    OutputSize(Num, Num, Num, Num, Num),
    SamePadding(Num, Num, Num),
    Dilated(Num, Num),
    Stacked(Vec<(Num, Num, Num)>, i32, i32),
    Conv {
        input: Vec<Num>,
        weight: Vec<Num>,
        pad: Pad,
        stride: Vec<Num>,
        bias: bool,
        relu: bool,
        short: bool,
    },
    Pool {
        input: Vec<Num>,
        size: Vec<Num>,
        pad: Pad,
        stride: Vec<Num>,
        max: bool,
        short: bool,
    },
    Crop([Num; 3], [Num; 4], bool),
    Letterbox(Num, Num, Num, bool),
    Resized(Num, Num, Num, Num, bool),
    Shapes([Num; 3], Vec<LayerSpec>),
    Nms(Vec<[f32; 4]>, Vec<f32>, f32, f32),
    Augment([Num; 3], AugmentSpec, bool),
}

impl ApiCall {
    /// Makes the call; the result is dropped (errors are answers too).
    pub fn run(&self) {
        match self {
            ApiCall::OutputSize(n, f, b, a, s) => {
                let pad = AxisPad {
                    before: b.usize(),
                    after: a.usize(),
                };
                let _ = geometry::output_size(n.usize(), f.usize(), pad, s.usize());
                let _ = geometry::output_size_formula(n.usize(), f.usize(), b.usize(), s.usize());
            }
            ApiCall::SamePadding(n, f, s) => {
                let _ = geometry::same_padding(n.usize(), f.usize(), s.usize());
            }
            ApiCall::Dilated(f, d) => {
                let _ = geometry::dilated_kernel(f.usize(), d.usize());
            }
            ApiCall::Stacked(layers, start, end) => {
                let layers: Vec<_> = layers
                    .iter()
                    .take(16)
                    .map(|(f, s, p)| (f.usize(), s.usize(), p.usize()))
                    .collect();
                let _ = geometry::stacked_window(&layers, *start as isize..*end as isize);
            }
            ApiCall::Conv {
                input,
                weight,
                pad,
                stride,
                bias,
                relu,
                short,
            } => {
                let input_shape: Vec<usize> = input.iter().take(5).map(|d| d.usize()).collect();
                let weight_shape: Vec<usize> = weight.iter().take(6).map(|d| d.usize()).collect();
                let stride: Vec<usize> = stride.iter().take(4).map(|d| d.usize()).collect();
                let (x, w) = (data(&input_shape, *short), data(&weight_shape, false));
                let b = vec![0.1; weight_shape.first().copied().unwrap_or(0).min(64)];
                let padding = pad.padding();
                let conv = Conv {
                    input: &x,
                    input_shape: &input_shape,
                    weight: &w,
                    weight_shape: &weight_shape,
                    bias: bias.then_some(&b[..]),
                    padding: &padding,
                    stride: &stride,
                    relu: *relu,
                };
                // The reference is what the page's numbers come from; tract's graph is built from the
                // same validated description.
                if conv.validate().is_ok_and(|g| small(&g.output_shape())) {
                    let _ = reference::conv(&conv);
                    let _ = reference::conv_trace(&conv, &vec![0; input_shape.len().saturating_sub(1)]);
                }
            }
            ApiCall::Pool {
                input,
                size,
                pad,
                stride,
                max,
                short,
            } => {
                let input_shape: Vec<usize> = input.iter().take(5).map(|d| d.usize()).collect();
                let size: Vec<usize> = size.iter().take(4).map(|d| d.usize()).collect();
                let stride: Vec<usize> = stride.iter().take(4).map(|d| d.usize()).collect();
                let x = data(&input_shape, *short);
                let padding = pad.padding();
                let pool = Pool {
                    input: &x,
                    input_shape: &input_shape,
                    mode: if *max { PoolMode::Max } else { PoolMode::Average },
                    size: &size,
                    padding: &padding,
                    stride: &stride,
                };
                if pool.validate().is_ok_and(|g| small(&g.output_shape())) {
                    let _ = reference::pool(&pool);
                    let _ = reference::pool_trace(&pool, 0, &vec![0; input_shape.len().saturating_sub(1)]);
                }
            }
            ApiCall::Crop([c, h, w], [top, left, height, width], short) => {
                let shape = [c.usize(), h.usize(), w.usize()];
                let x = data(&shape, *short);
                let _ = image::crop(&x, shape, top.usize(), left.usize(), height.usize(), width.usize());
            }
            ApiCall::Letterbox(w, h, size, short) => {
                let (w, h) = (w.usize(), h.usize());
                let rgba = vec![0u8; data(&[w, h, 4], *short).len()];
                if size.usize() <= 1024 {
                    let _ = image::letterbox(&rgba, w, h, size.usize());
                }
                let _ = image::fit_square(w, h, size.usize());
                let _ = image::fit_within_limit(w, h);
            }
            ApiCall::Resized(w, h, ow, oh, short) => {
                let (w, h) = (w.usize(), h.usize());
                let rgba = vec![0u8; data(&[w, h, 4], *short).len()];
                if ow.usize().saturating_mul(oh.usize()) <= 1 << 20 {
                    let _ = image::rgba_to_rgb_resized(&rgba, w, h, ow.usize(), oh.usize());
                }
            }
            ApiCall::Shapes([c, h, w], layers) => {
                let layers: Vec<_> = layers
                    .iter()
                    .take(12)
                    .map(|l| match *l {
                        LayerSpec::Conv(f, stride, padding, filters) => network::Layer::Conv {
                            f: f.usize(),
                            stride: stride.usize(),
                            padding: padding.usize(),
                            filters: filters.usize(),
                        },
                        LayerSpec::Pool(max, f, stride) => network::Layer::Pool {
                            mode: if max { PoolMode::Max } else { PoolMode::Average },
                            f: f.usize(),
                            stride: stride.usize(),
                        },
                        LayerSpec::Flatten => network::Layer::Flatten,
                        LayerSpec::Dense(u) => network::Layer::Dense { units: u.usize() },
                    })
                    .collect();
                if let Ok(steps) = network::shapes([c.usize(), h.usize(), w.usize()], &layers) {
                    let _ = network::total_params(&steps);
                }
            }
            ApiCall::Nms(boxes, scores, st, it) => {
                let boxes: Vec<_> = boxes
                    .iter()
                    .take(64)
                    .map(|&[x1, y1, x2, y2]| detect::BBox { x1, y1, x2, y2 })
                    .collect();
                let _ = detect::nms_trace(&boxes, scores, None, *st, *it);
                if let [a, b, ..] = &boxes[..] {
                    let _ = detect::iou(a, b);
                }
            }
            ApiCall::Augment([c, h, w], spec, short) => {
                let shape = [c.usize(), h.usize(), w.usize()];
                let x = data(&shape, *short);
                let a = match *spec {
                    AugmentSpec::Mirror => augment::Augmentation::Mirror,
                    AugmentSpec::Crop(scale, x, y) => augment::Augmentation::Crop { scale, x, y },
                    AugmentSpec::Rotate(degrees) => augment::Augmentation::Rotate { degrees },
                    AugmentSpec::Shear(amount) => augment::Augmentation::Shear { amount },
                    AugmentSpec::Warp(pixels, seed) => augment::Augmentation::Warp { pixels, seed },
                    AugmentSpec::ColourShift(shift) => augment::Augmentation::ColourShift { shift },
                    AugmentSpec::PcaColour(alpha) => augment::Augmentation::PcaColour { alpha },
                };
                let _ = augment::apply(&x, shape, a);
            }
        }
    }
}

/// Outputs the fuzz loop computes (the page accepts up to 2^26 values, which takes seconds; the
/// checks before computing are what is fuzzed, and they run for every size).
fn small(shape: &[usize]) -> bool {
    geometry::element_count(shape).is_some_and(|n| n <= 1 << 16)
}
