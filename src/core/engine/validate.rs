//! Checks on an ONNX file before tract sees it. tract 0.23.9 asserts (panics) on some malformed
//! graphs, and in wasm a panic aborts the whole module every widget shares; so what tract would
//! assert on is refused here with an error that names the node and the attribute: zero or
//! wrong-length strides, pads and kernels, sizes past the playground's limits, axes outside a
//! tensor's rank, shapes and steps that cannot be, and outputs that nothing produces. Once tract
//! has typed the graph, [`check_gathers`] refuses what its gathers would index unchecked at run
//! time.

use std::collections::{HashMap, HashSet};

use anyhow::{bail, ensure, Result};
use tract_onnx::pb;
use tract_onnx::prelude::*;

use crate::core::geometry::{MAX_ELEMENTS, MAX_SIDE};

/// An integer-list attribute of `node`, if present.
fn ints<'a>(node: &'a pb::NodeProto, name: &str) -> Option<&'a [i64]> {
    node.attribute
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.ints.as_slice())
}

/// An integer attribute of `node`, if present.
fn int(node: &pb::NodeProto, name: &str) -> Option<i64> {
    node.attribute.iter().find(|a| a.name == name).map(|a| a.i)
}

/// How the error names a node: `Conv "conv_1"`.
fn who(node: &pb::NodeProto) -> String {
    let name = if node.name.is_empty() {
        node.output.first().map_or("", String::as_str)
    } else {
        &node.name
    };
    format!("{} {name:?}", node.op_type)
}

/// A constant tensor's values as tract-onnx 0.23.9 reads them (`tensor.rs`): `raw_data` when it
/// is not empty, otherwise only the typed field that `data_type` names (`int64_data` for INT64
/// and UINT64, `int32_data` for the smaller integers, BOOL and FLOAT16, `float_data`,
/// `double_data`). A file may fill other fields too; checking those instead of what tract reads
/// let an index of 5 through as 1. Empty for types that hold no numbers.
pub(crate) fn numbers(t: &pb::TensorProto) -> Vec<f64> {
    fn raw<const N: usize>(bytes: &[u8], f: impl Fn([u8; N]) -> f64) -> Vec<f64> {
        bytes
            .chunks_exact(N)
            .map(|b| f(b.try_into().unwrap_or([0; N])))
            .collect()
    }
    let half = |bits: u16| f16::from_bits(bits).to_f64();
    let r = &t.raw_data;
    if !r.is_empty() {
        return match t.data_type {
            1 => raw(r, |b| f64::from(f32::from_le_bytes(b))),
            2 | 9 => raw(r, |b: [u8; 1]| f64::from(b[0])),
            3 => raw(r, |b: [u8; 1]| f64::from(b[0] as i8)),
            4 => raw(r, |b| f64::from(u16::from_le_bytes(b))),
            5 => raw(r, |b| f64::from(i16::from_le_bytes(b))),
            6 => raw(r, |b| f64::from(i32::from_le_bytes(b))),
            7 => raw(r, |b| i64::from_le_bytes(b) as f64),
            10 => raw(r, |b| half(u16::from_le_bytes(b))),
            11 => raw(r, f64::from_le_bytes),
            12 => raw(r, |b| f64::from(u32::from_le_bytes(b))),
            13 => raw(r, |b| u64::from_le_bytes(b) as f64),
            _ => Vec::new(),
        };
    }
    match t.data_type {
        1 => t.float_data.iter().map(|&v| f64::from(v)).collect(),
        2 => t.int32_data.iter().map(|&v| f64::from(v as u8)).collect(),
        3 => t.int32_data.iter().map(|&v| f64::from(v as i8)).collect(),
        4 => t.int32_data.iter().map(|&v| f64::from(v as u16)).collect(),
        5 => t.int32_data.iter().map(|&v| f64::from(v as i16)).collect(),
        6 => t.int32_data.iter().map(|&v| f64::from(v)).collect(),
        9 => t
            .int32_data
            .iter()
            .map(|&v| f64::from(u8::from(v != 0)))
            .collect(),
        10 => t.int32_data.iter().map(|&v| half(v as u16)).collect(),
        11 => t.double_data.clone(),
        12 => t.int32_data.iter().map(|&v| f64::from(v as u32)).collect(),
        7 => t.int64_data.iter().map(|&v| v as f64).collect(),
        13 => t.int64_data.iter().map(|&v| v as u64 as f64).collect(),
        _ => Vec::new(),
    }
}

/// The whole-number values of a constant integer tensor as tract reads them (see [`numbers`]);
/// INT64 exactly, the other integer types through their `numbers`; empty for other types.
fn int_values(t: &pb::TensorProto) -> Vec<i64> {
    match t.data_type {
        7 if !t.raw_data.is_empty() => t
            .raw_data
            .chunks_exact(8)
            .map(|b| i64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .collect(),
        7 => t.int64_data.clone(),
        // UINT64 past i64::MAX saturates, which every check here treats as too large.
        2..=6 | 12 | 13 => numbers(t).into_iter().map(|v| v as i64).collect(),
        _ => Vec::new(),
    }
}

/// Whether a constant tensor holds a zero, as tract reads it (see [`numbers`]).
fn has_zero(t: &pb::TensorProto) -> bool {
    numbers(t).contains(&0.0)
}

/// `Π dims` if every dim is from 0 to `MAX_ELEMENTS` and the product stays within it.
fn element_count(dims: &[i64]) -> Option<usize> {
    dims.iter().try_fold(1usize, |acc, &d| {
        let d = usize::try_from(d).ok()?;
        acc.checked_mul(d).filter(|&n| n <= MAX_ELEMENTS)
    })
}

/// Checks `graph` for what would make tract assert (see the module documentation).
pub(crate) fn validate(graph: &pb::GraphProto) -> Result<()> {
    ensure!(
        !graph.output.is_empty(),
        "the model has no outputs: there is nothing to compute"
    );
    // Constant tensors by name (initializers and `Constant` nodes), and known ranks.
    let mut constants: HashMap<&str, &pb::TensorProto> = HashMap::new();
    let mut ranks: HashMap<&str, usize> = HashMap::new();
    // Declared shapes of graph inputs (symbolic sizes as 1), for index checks.
    let mut shapes: HashMap<&str, Vec<i64>> = HashMap::new();
    for t in &graph.initializer {
        check_tensor(t, &format!("the weight {:?}", t.name))?;
        constants.insert(&t.name, t);
        ranks.insert(&t.name, t.dims.len());
    }
    for (k, input) in graph.input.iter().enumerate() {
        // The data input must say its rank: without a shape tract would run it as a single number.
        let declared = input
            .r#type
            .as_ref()
            .and_then(|t| t.value.as_ref())
            .is_some_and(
                |v| matches!(v, pb::type_proto::Value::TensorType(t) if t.shape.is_some()),
            );
        ensure!(
            k > 0 || declared,
            "the model's input {:?} declares no shape: the playground needs at least its number of axes, e.g. [1, 3, 224, 224]",
            input.name
        );
        if let Some(pb::type_proto::Value::TensorType(t)) =
            input.r#type.as_ref().and_then(|t| t.value.as_ref())
        {
            use pb::tensor_shape_proto::dimension::Value;
            let dims: Vec<i64> = t.shape.as_ref().map_or(Vec::new(), |s| {
                s.dim
                    .iter()
                    .map(|d| match d.value {
                        Some(Value::DimValue(v)) => v,
                        _ => 1,
                    })
                    .collect()
            });
            // Only the data input is ever allocated; later inputs are the weights of a shapes-only
            // architecture, analysed and never run.
            ensure!(
                dims.iter().all(|&d| d >= 1),
                "the input {:?} is declared as {dims:?}: every size must be at least 1",
                input.name
            );
            ensure!(
                k > 0 || element_count(&dims).is_some(),
                "the input {:?} is declared as {dims:?}: more than {MAX_ELEMENTS} values, beyond what the playground holds",
                input.name
            );
            if let Some(shape) = &t.shape {
                ensure!(
                    k > 0 || !shape.dim.is_empty(),
                    "the model's input {:?} is a single number (rank 0): the playground runs models whose input is an image or a signal",
                    input.name
                );
                ranks.insert(&input.name, shape.dim.len());
                shapes.insert(&input.name, dims);
            }
        }
    }
    let mut produced: HashSet<&str> = graph
        .input
        .iter()
        .map(|i| i.name.as_str())
        .chain(graph.initializer.iter().map(|t| t.name.as_str()))
        .collect();
    for node in &graph.node {
        if node.op_type == "Constant" {
            if let (Some(out), Some(t)) = (
                node.output.first(),
                node.attribute.iter().find_map(|a| a.t.as_ref()),
            ) {
                check_tensor(t, &who(node))?;
                constants.insert(out, t);
                ranks.insert(out, t.dims.len());
            }
        }
        let input_ranks: Vec<Option<usize>> = node
            .input
            .iter()
            .map(|i| ranks.get(i.as_str()).copied())
            .collect();
        check_node(node, &input_ranks, &constants, &shapes)?;
        if let Some(r) = output_rank(node, &ranks, &constants) {
            // Split's outputs all keep the input's rank; other ops' later outputs are indices.
            let outputs = if node.op_type == "Split" {
                node.output.len()
            } else {
                1
            };
            for out in node.output.iter().take(outputs) {
                ranks.insert(out, r);
            }
        }
        // An empty output name is an optional output left out: nothing is produced there.
        produced.extend(
            node.output
                .iter()
                .map(String::as_str)
                .filter(|name| !name.is_empty()),
        );
    }
    let inputs: HashSet<&str> = graph.input.iter().map(|i| i.name.as_str()).collect();
    for output in &graph.output {
        ensure!(
            !output.name.is_empty(),
            "one of the model's outputs has no name, so no node can produce it"
        );
        ensure!(
            produced.contains(output.name.as_str()),
            "the model's output {:?} is produced by no node",
            output.name
        );
        ensure!(
            !inputs.contains(output.name.as_str()),
            "the model's output {:?} is its own input: there is nothing to compute",
            output.name
        );
    }
    Ok(())
}

/// A constant tensor's dims and element type.
fn check_tensor(t: &pb::TensorProto, what: &str) -> Result<()> {
    ensure!(
        t.dims.iter().all(|&d| d >= 0) && element_count(&t.dims).is_some(),
        "{what} has shape {:?}: negative, or more than {MAX_ELEMENTS} values",
        t.dims
    );
    // An empty list (dims [0]) is a common stand-in for an absent argument; an empty matrix or
    // volume is not, and tract's reductions divide by its zero size.
    ensure!(
        t.dims.len() < 2 || !t.dims.contains(&0),
        "{what} has shape {:?}: a size of 0 leaves nothing to compute",
        t.dims
    );
    // STRING (8) and UNDEFINED (0) tensors cannot be weights.
    ensure!(
        !matches!(t.data_type, 0 | 8),
        "{what} holds {} values, not numbers",
        if t.data_type == 8 { "text" } else { "untyped" }
    );
    Ok(())
}

/// The rank of `node`'s outputs when it follows from its inputs' ranks (`ranks`) and constant
/// inputs, `None` when it does not (the checks then fall back to what any rank up to 8 allows).
fn output_rank(
    node: &pb::NodeProto,
    ranks: &HashMap<&str, usize>,
    constants: &HashMap<&str, &pb::TensorProto>,
) -> Option<usize> {
    let input_rank = |k: usize| {
        node.input
            .get(k)
            .and_then(|i| ranks.get(i.as_str()).copied())
    };
    let constant_len = |k: usize| {
        node.input
            .get(k)
            .and_then(|a| constants.get(a.as_str()))
            .map(|t| int_values(t).len())
    };
    let axes = || {
        ints(node, "axes")
            .map(<[i64]>::len)
            .or_else(|| constant_len(1))
    };
    let rank = input_rank(0);
    let keepdims = int(node, "keepdims") != Some(0);
    match node.op_type.as_str() {
        "Flatten" | "Gemm" | "NonZero" => Some(2),
        "Shape" | "Range" => Some(1),
        "Size" => Some(0),
        "Unsqueeze" => Some(rank? + axes()?),
        "Squeeze" => rank?.checked_sub(axes()?),
        "Reshape" => constant_len(1),
        "ConstantOfShape" => constant_len(0),
        "Expand" => Some(rank?.max(constant_len(1)?)),
        "Gather" => (rank? + input_rank(1)?).checked_sub(1),
        "MatMul" => match (rank?, input_rank(1)?) {
            // A scalar operand is not a matrix: `check_node` refuses it.
            (0, _) | (_, 0) => None,
            (1, 1) => Some(0),
            (1, b) => Some(b - 1),
            (a, 1) => Some(a - 1),
            (a, b) => Some(a.max(b)),
        },
        "ArgMax" | "ArgMin" if !keepdims => rank?.checked_sub(1),
        "ReduceSum" | "ReduceMean" | "ReduceMax" | "ReduceMin" | "ReduceProd" | "ReduceL2"
            if !keepdims =>
        {
            match axes() {
                Some(n) => rank?.checked_sub(n),
                None => Some(0),
            }
        }
        // Element-wise ops broadcast their inputs: the largest rank among them.
        "Add" | "Sub" | "Mul" | "Div" | "Pow" | "Equal" | "Less" | "Greater" | "Where" | "Max"
        | "Min" | "Sum" | "Mean" | "PRelu" | "And" | "Or" | "Xor" => node
            .input
            .iter()
            .filter(|i| !i.is_empty())
            .map(|i| ranks.get(i.as_str()).copied())
            .try_fold(0, |m, r| Some(m.max(r?))),
        "TopK" | "Einsum" | "Loop" | "If" | "Scan" => None,
        _ => rank,
    }
}

/// How many inputs `op` needs at least (opset 13): ops without inputs make constants or random
/// numbers; most take one; tract indexes the inputs it expects without checking.
fn min_inputs(op: &str) -> usize {
    match op {
        "Constant" | "RandomNormal" | "RandomUniform" => 0,
        "Conv" | "ConvTranspose" | "Gemm" | "MatMul" | "Add" | "Sub" | "Mul" | "Div" | "Pow"
        | "Reshape" | "Gather" | "Expand" | "Tile" | "PRelu" | "Equal" | "Less" | "Greater" => 2,
        "Slice" | "Range" | "Where" => 3,
        "BatchNormalization" => 5,
        _ => 1,
    }
}

/// How many inputs `op` takes at most (opset 13), for the ops whose count is fixed; tract indexes
/// its expected inputs by position and some ops read past what they declare.
fn max_inputs(op: &str) -> Option<usize> {
    Some(match op {
        "Constant" => 0,
        "Relu" | "LeakyRelu" | "Sigmoid" | "Tanh" | "Softmax" | "LogSoftmax" | "Hardmax"
        | "Flatten" | "Transpose" | "MaxPool" | "AveragePool" | "GlobalAveragePool"
        | "GlobalMaxPool" | "ConstantOfShape" | "Shape" | "Identity" | "Neg" | "Abs" | "Exp"
        | "Log" | "Sqrt" | "Floor" | "Ceil" | "ArgMax" | "ArgMin" | "LRN" | "Dropout" => 1,
        "Add" | "Sub" | "Mul" | "Div" | "Pow" | "MatMul" | "Reshape" | "Gather" | "Expand"
        | "Tile" | "PRelu" | "Unsqueeze" | "Squeeze" | "Split" | "Equal" | "Less" | "Greater" => 2,
        "Conv" | "Gemm" | "Pad" | "Range" | "Where" | "Clip" => 3,
        "Resize" => 4,
        "Slice" | "BatchNormalization" => 5,
        _ => return None,
    })
}

/// The checks of one node, given its inputs' ranks where known.
fn check_node(
    node: &pb::NodeProto,
    input_ranks: &[Option<usize>],
    constants: &HashMap<&str, &pb::TensorProto>,
    shapes: &HashMap<&str, Vec<i64>>,
) -> Result<()> {
    let me = who(node);
    let rank = input_ranks.first().copied().flatten();
    let needed = min_inputs(&node.op_type);
    let given = node.input.iter().take_while(|i| !i.is_empty()).count();
    ensure!(
        given >= needed,
        "{me} has {given} input{} but needs at least {needed}",
        if given == 1 { "" } else { "s" }
    );
    if let Some(most) = max_inputs(&node.op_type) {
        ensure!(
            node.input.len() <= most,
            "{me} has {} inputs but takes at most {most}",
            node.input.len()
        );
    }
    let limit = MAX_SIDE as i64;
    let constant = |k: usize| {
        node.input
            .get(k)
            .and_then(|n| constants.get(n.as_str()))
            .copied()
    };
    // An axis in [-r, r) (or [-r - 1, r] where `inclusive`).
    let axis_ok = |axis: i64, inclusive: bool| match rank {
        Some(r) => {
            let r = r as i64;
            if inclusive {
                (-r - 1..=r).contains(&axis)
            } else {
                (-r..r).contains(&axis)
            }
        }
        None => (-8..8).contains(&axis),
    };
    match node.op_type.as_str() {
        "Conv" | "ConvTranspose" | "MaxPool" | "AveragePool" | "LpPool" => {
            let weight = constant(1).filter(|_| node.op_type.starts_with("Conv"));
            if let Some(w) = weight {
                ensure!(
                    w.dims.len() >= 3 && w.dims.iter().all(|&d| d >= 1),
                    "{me}: its weight has shape {:?}; a convolution's weight is [filters, channels, kernel…] with every size at least 1",
                    w.dims
                );
                ensure!(
                    matches!(w.data_type, 1 | 10 | 11 | 16),
                    "{me}: its weight is not floating-point (ONNX type {})",
                    w.data_type
                );
            }
            let spatial = ints(node, "kernel_shape")
                .map(<[i64]>::len)
                .or_else(|| weight.map(|w| w.dims.len().saturating_sub(2)))
                .or_else(|| rank.map(|r| r.saturating_sub(2)));
            if let Some(kernel) = ints(node, "kernel_shape") {
                ensure!(
                    kernel.iter().all(|&k| (1..=limit).contains(&k)),
                    "{me}: kernel_shape {kernel:?}: every kernel size must be from 1 to {limit}"
                );
            } else if !node.op_type.starts_with("Conv") {
                bail!("{me} has no kernel_shape: a pooling window needs one");
            }
            if let (Some(s), Some(r)) = (spatial, rank) {
                ensure!(
                    r == s + 2,
                    "{me}: a {s}-D window over a {r}-D input; the input must be [n, c, …] with {s} spatial axes"
                );
            }
            for (attr, lo, per_axis) in [("strides", 1, 1), ("dilations", 1, 1), ("pads", 0, 2)] {
                let Some(values) = ints(node, attr) else {
                    continue;
                };
                ensure!(
                    values.iter().all(|&v| (lo..=limit).contains(&v)),
                    "{me}: {attr} {values:?}: each must be from {lo} to {limit}"
                );
                if let Some(s) = spatial {
                    ensure!(
                        values.len() == per_axis * s,
                        "{me}: {attr} {values:?} has {} values, but {s} spatial axes need {}",
                        values.len(),
                        per_axis * s
                    );
                }
            }
            if let Some(group) = int(node, "group") {
                ensure!(group >= 1, "{me}: group {group} must be at least 1");
            }
        }
        "ConstantOfShape" | "Expand" | "Tile" => {
            let k = if node.op_type == "ConstantOfShape" {
                0
            } else {
                1
            };
            if let Some(t) = constant(k) {
                ensure!(
                    matches!(t.data_type, 6 | 7),
                    "{me}: a shape is whole numbers (INT64), not a tensor of type {}",
                    t.data_type
                );
                let values = int_values(t);
                ensure!(
                    values.len() <= 8,
                    "{me}: the shape {values:?} has {} axes; the playground handles at most 8",
                    values.len()
                );
                // Each size on its own too: a 0 among them hides a huge one from the product.
                let each = values
                    .iter()
                    .all(|&v| (0..=MAX_ELEMENTS as i64).contains(&v));
                let ok = each && (node.op_type == "Tile" || element_count(&values).is_some());
                ensure!(
                    ok,
                    "{me}: the shape {values:?} is negative or holds more than {MAX_ELEMENTS} values"
                );
            }
        }
        "Range" => {
            if let Some(t) = constant(2) {
                ensure!(!has_zero(t), "{me}: a range with step 0 never ends");
            }
            if let (Some(start), Some(limit), Some(delta)) = (constant(0), constant(1), constant(2))
            {
                let one = |t: &pb::TensorProto| numbers(t).first().copied().unwrap_or(f64::NAN);
                let (start, limit, delta) = (one(start), one(limit), one(delta));
                let count = ((limit - start) / delta).ceil();
                let show = |x: f64| {
                    if x != 0.0 && !(1e-3..1e7).contains(&x.abs()) {
                        format!("{x:.2e}")
                    } else {
                        format!("{x}")
                    }
                };
                ensure!(
                    // Either sign: a negative count is an empty range in ONNX, but tract still
                    // divides by the step's integer part.
                    count.is_finite() && count.abs() <= MAX_ELEMENTS as f64,
                    "{me}: a range from {} to {} by {} has more than {MAX_ELEMENTS} values",
                    show(start),
                    show(limit),
                    show(delta)
                );
            }
        }
        "DepthToSpace" | "SpaceToDepth" => {
            let b = int(node, "blocksize").unwrap_or(0);
            ensure!(
                (1..=limit).contains(&b),
                "{me}: blocksize {b} must be from 1 to {limit}"
            );
        }
        "Pad" => {
            let pads = ints(node, "pads")
                .map(<[i64]>::to_vec)
                .or_else(|| constant(1).map(int_values));
            if let Some(pads) = pads {
                ensure!(
                    // unsigned_abs: i64::MIN.abs() overflows (and wraps to a negative in release).
                    pads.iter().all(|&p| p.unsigned_abs() <= limit as u64),
                    "{me}: pads {pads:?}: each must be at most {limit}"
                );
                if let Some(r) = rank {
                    ensure!(
                        pads.len() == 2 * r,
                        "{me}: pads {pads:?} has {} values, but a {r}-D input needs {}",
                        pads.len(),
                        2 * r
                    );
                }
            }
        }
        "Slice" => {
            if let Some(steps) = constant(4) {
                let steps = int_values(steps);
                ensure!(!steps.contains(&0), "{me}: a slice step of 0 never moves");
                ensure!(
                    steps
                        .iter()
                        .all(|s| s.unsigned_abs() <= MAX_ELEMENTS as u64),
                    "{me}: slice steps {steps:?}: each must be at most {MAX_ELEMENTS} either way"
                );
            }
            if let Some(axes) = constant(3) {
                for a in int_values(axes) {
                    ensure!(
                        axis_ok(a, false),
                        "{me}: axis {a} is outside the input's axes"
                    );
                }
            }
        }
        "Gather" | "GatherElements" | "ScatterElements" | "ScatterND" | "Scatter" => {
            let axis = int(node, "axis").unwrap_or(0);
            ensure!(
                axis_ok(axis, false),
                "{me}: axis {axis} is outside the input's axes"
            );
            let data = constant(0).map(|t| t.dims.clone()).or_else(|| {
                node.input
                    .first()
                    .and_then(|i| shapes.get(i.as_str()))
                    .cloned()
            });
            let indices = constant(1).map(int_values);
            if let (Some(dims), Some(indices)) = (data, indices) {
                let a = if axis < 0 {
                    axis + dims.len() as i64
                } else {
                    axis
                };
                if let Some(&n) = usize::try_from(a).ok().and_then(|a| dims.get(a)) {
                    ensure!(
                        indices.iter().all(|&i| (-n..n).contains(&i)),
                        "{me}: indices {indices:?} reach past the {n} entries of axis {axis}: each must be from {} to {}",
                        -n,
                        n - 1
                    );
                }
            }
        }
        "Flatten" => {
            // Flatten's axis may also be r (everything before the cut), so [-r, r].
            let axis = int(node, "axis").unwrap_or(1);
            let ok = match rank {
                Some(r) => (-(r as i64)..=r as i64).contains(&axis),
                None => axis_ok(axis, false),
            };
            ensure!(ok, "{me}: axis {axis} is outside the input's axes");
        }
        "ArgMax" | "ArgMin" | "Hardmax" | "Softmax" | "LogSoftmax" | "Concat" | "Split" => {
            // Without the attribute, the op's default axis (opset 13), which a scalar lacks too.
            let default = match node.op_type.as_str() {
                "ArgMax" | "ArgMin" | "Split" => Some(0),
                "Hardmax" | "Softmax" | "LogSoftmax" => Some(-1),
                _ => None,
            };
            if let Some(axis) = int(node, "axis").or(default) {
                ensure!(
                    axis_ok(axis, false),
                    "{me}: axis {axis} is outside the input's axes"
                );
            }
            if node.op_type == "Split" {
                if let Some(split) = ints(node, "split")
                    .map(<[i64]>::to_vec)
                    .or_else(|| constant(1).map(int_values))
                {
                    ensure!(
                        split.iter().all(|&s| s >= 0),
                        "{me}: split {split:?} has a negative size"
                    );
                    ensure!(
                        split.len() == node.output.len(),
                        "{me}: split {split:?} makes {} parts but the node has {} outputs",
                        split.len(),
                        node.output.len()
                    );
                }
            }
        }
        "MatMul" => ensure!(
            !input_ranks.contains(&Some(0)),
            "{me}: a single number (rank 0) is not a matrix; use Mul to scale by one number"
        ),
        "Transpose" => {
            ensure!(
                rank != Some(0),
                "{me}: a single number (rank 0) has no axes to transpose"
            );
            if let Some(perm) = ints(node, "perm") {
                let mut sorted = perm.to_vec();
                sorted.sort_unstable();
                ensure!(
                    sorted.iter().enumerate().all(|(i, &p)| p == i as i64)
                        && rank.is_none_or(|r| r == perm.len()),
                    "{me}: perm {perm:?} is not an order of the input's axes"
                );
            }
        }
        "Unsqueeze" | "Squeeze" | "ReduceSum" | "ReduceMean" | "ReduceMax" | "ReduceMin"
        | "ReduceProd" | "ReduceL2" => {
            let axes = ints(node, "axes")
                .map(<[i64]>::to_vec)
                .or_else(|| constant(1).map(int_values))
                .unwrap_or_default();
            let inclusive = node.op_type == "Unsqueeze";
            let out_rank = rank.map(|r| if inclusive { r + axes.len() } else { r });
            for &a in &axes {
                let ok = match out_rank {
                    Some(r) => (-(r as i64)..r as i64).contains(&a),
                    None => (-8..8).contains(&a),
                };
                ensure!(ok, "{me}: axis {a} is outside the tensor's axes");
            }
        }
        _ => {}
    }
    Ok(())
}

/// Checks the gathers of `model`, once tract has worked out its types and shapes, for what
/// tract 0.23.9 would index with unchecked at run time (a panic, so a trap in wasm): `Gather`,
/// `GatherElements` and `GatherND` must have indices tract knows before the run (constants, or
/// folded from the shapes), and each index must lie inside the data's axis, `-n ≤ i < n`.
pub(crate) fn check_gathers(model: &TypedModel) -> Result<()> {
    use tract_onnx::tract_core::ops::array::{Gather, GatherElements, GatherNd};
    for node in model.nodes() {
        let axis = if let Some(g) = node.op_as::<Gather>() {
            Some(g.axis)
        } else if let Some(g) = node.op_as::<GatherElements>() {
            Some(g.axis)
        } else if node.op_is::<GatherNd>() {
            None
        } else {
            continue;
        };
        let (Some(&data), Some(&indices)) = (node.inputs.first(), node.inputs.get(1)) else {
            continue;
        };
        let (data, indices) = (model.outlet_fact(data)?, model.outlet_fact(indices)?);
        let Some(values) = &indices.konst else {
            bail!(
                "{} \"{}\": its indices are computed from the input while the model runs; the playground runs {} with whole-number indices fixed in the file (an initializer or a Constant)",
                node.op.name(),
                node.name,
                node.op.name()
            );
        };
        let values: Vec<i64> = values
            .cast_to::<i64>()?
            .to_plain_array_view::<i64>()?
            .iter()
            .copied()
            .collect();
        let dims: Vec<Option<i64>> = data.shape.iter().map(|d| d.to_i64().ok()).collect();
        let inside = |i: i64, n: i64| -n <= i && i < n;
        match axis {
            Some(axis) => {
                let Some(Some(n)) = dims.get(axis).copied() else {
                    continue;
                };
                ensure!(
                    values.iter().all(|&i| inside(i, n)),
                    "{} \"{}\": indices {values:?} reach past the {n} entries of axis {axis}: each must be from {} to {}",
                    node.op.name(),
                    node.name,
                    -n,
                    n - 1
                );
            }
            None => {
                // GatherND: each row of the last axis indexes the data's leading axes (after
                // the batch axes).
                let batch = node.op_as::<GatherNd>().map_or(0, |g| g.batch_dims);
                let width = indices
                    .shape
                    .last()
                    .and_then(|d| d.to_i64().ok())
                    .and_then(|w| usize::try_from(w).ok())
                    .unwrap_or(0);
                if width == 0 {
                    continue;
                }
                for tuple in values.chunks(width) {
                    for (k, &i) in tuple.iter().enumerate() {
                        let Some(Some(n)) = dims.get(batch + k).copied() else {
                            continue;
                        };
                        ensure!(
                            inside(i, n),
                            "{} \"{}\": index {i} reaches past the {n} entries of axis {}: it must be from {} to {}",
                            node.op.name(),
                            node.name,
                            batch + k,
                            -n,
                            n - 1
                        );
                    }
                }
            }
        }
    }
    Ok(())
}
