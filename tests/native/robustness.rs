//! Model files that broke the release package (`../shared/robustness/`, copied into
//! tests/fixtures/robustness/): tract asserted on each (a trap in wasm, where `panic = "abort"`
//! takes the whole module down). Each must now give an error that names the problem, without any
//! panic, and the engine must keep working afterwards.

use std::panic::{catch_unwind, AssertUnwindSafe};

use cnn_playground::engine::Model;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/robustness");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "onnx"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_robustness_model_is_refused_with_an_error_not_a_panic() {
    let files = fixtures();
    assert_eq!(files.len(), 35);
    let mut panics = Vec::new();
    for (name, bytes) in &files {
        eprintln!("loading {name}");
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let model = Model::load(bytes)?;
            let size: usize = model.input_shape().iter().product();
            model.run(&vec![0.5; size])?;
            model.feature_maps(&vec![0.5; size])?;
            anyhow::Ok(())
        }));
        match outcome {
            Err(_) => panics.push(name.clone()),
            Ok(Ok(())) => panic!("{name} loaded and ran"),
            Ok(Err(e)) => println!("{name}: {e:#}"),
        }
    }
    assert!(
        panics.is_empty(),
        "{} files panic inside tract: {panics:?}",
        panics.len()
    );
}

/// A model tract refuses (shapes that cannot be broadcast) reads as a plain sentence, with what
/// tract said kept apart as details, both short enough for a page (issue 14, part 6).
#[test]
fn a_model_tract_refuses_reads_as_a_sentence_with_details_apart() {
    use cnn_playground::core::error::{explain, MAX_DETAILS, MAX_PLAIN};
    use cnn_playground::graph::{encode, GraphBuilder};
    let mut g = GraphBuilder::new("mismatch", &[1, 3, 4, 4]);
    let x = g.input();
    let flat = g.flatten(&x);
    // 48 inputs against a weight for 10.
    let dense = g.dense(&flat, (&[7, 10], &[0.5; 70]), &[0.0; 7]);
    let err = Model::load(&encode(&g.finish(&dense))).err().unwrap();
    let (plain, details) = explain(&err);
    assert_eq!(
        plain,
        "tract cannot work out the shapes in this model: it holds an op, an attribute or sizes that tract does not support"
    );
    let details = details.unwrap();
    assert!(!details.is_empty() && details.chars().count() <= MAX_DETAILS + 40);
    assert!(plain.chars().count() <= MAX_PLAIN);
}
