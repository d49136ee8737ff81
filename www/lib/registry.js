// Every widget of the playground, once: its key (embed.html?widget=…, URL parameters), its custom
// element's tag, its name and the lectures it illustrates (the page's headings come from here),
// the id of its place on the full page, the options it reads (element attributes and URL
// parameters) and its mount function `mount(root, api, options)`, which imports the widget's
// module on first use.

/**
 * `mount(root, api, options)` for widgets/`file`'s export `name`, imported on first use: a page
 * downloads the code of the widgets it shows, not all of them. Resolves to what the mount returns.
 */
const lazy = (file, name) => async (...args) => (await import(`../widgets/${file}`))[name](...args);

const ENTRIES = [
  { key: 'conv', tag: 'cnn-conv', id: 'conv-explainer', name: 'Edge detection, padding and stride', lectures: '02–05', mount: lazy('conv-explainer.js', 'mountConvExplainer'), options: ['input', 'n', 'values', 'filter', 'f', 'kernel', 'p', 's'] },
  { key: 'edge', tag: 'cnn-edge', id: 'edge-lab', name: 'Edge detection on images', lectures: '02–03', mount: lazy('edge-lab.js', 'mountEdgeLab'), options: ['image', 'filter', 'kernel', 'absolute', 'pool'] },
  { key: 'volume', tag: 'cnn-volume', id: 'volume-lab', name: 'Convolution over volume, one layer', lectures: '06–07', mount: lazy('volume-lab.js', 'mountVolumeLab'), options: [] },
  { key: 'pool', tag: 'cnn-pool', id: 'pool-explainer', name: 'Pooling', lectures: '09', mount: lazy('pool-explainer.js', 'mountPoolExplainer'), options: ['mode', 'f', 's', 'p', 'values'] },
  { key: 'shapes', tag: 'cnn-shapes', id: 'network-shapes', name: 'Shapes and parameters of a ConvNet', lectures: '01, 08, 10, 11', mount: lazy('network-shapes.js', 'mountNetworkShapes'), options: ['net', 'preset'] },
  { key: 'conv1d3d', tag: 'cnn-conv-1d-3d', id: 'generalize', name: '1D and 3D convolution', lectures: '43', mount: lazy('generalize.js', 'mountGeneralize'), options: [] },
  { key: 'lenet', tag: 'cnn-lenet', id: 'lenet-lab', name: 'LeNet-5 reads your handwriting', lectures: '10, 13', mount: lazy('lenet-lab.js', 'mountLenetLab'), options: [] },
  { key: 'model', tag: 'cnn-model', id: 'explorer', name: 'The model explorer', lectures: '13–18, 39', mount: lazy('explorer.js', 'mountExplorer'), options: ['model', 'src'] },
  { key: 'residual', tag: 'cnn-residual', id: 'residual', name: 'A residual block', lectures: '14–15', mount: lazy('residual.js', 'mountResidual'), options: ['scale'] },
  { key: 'bottleneck', tag: 'cnn-bottleneck', id: 'bottleneck', name: '1×1 convolutions and the bottleneck', lectures: '16–17', mount: lazy('bottleneck.js', 'mountBottleneck'), options: ['h', 'w', 'c', 'f', 'k', 'r'] },
  { key: 'transfer', tag: 'cnn-transfer', id: 'transfer', name: 'Transfer learning', lectures: '20', mount: lazy('transfer.js', 'mountTransfer'), options: [] },
  { key: 'augment', tag: 'cnn-augment', id: 'augmentation', name: 'Data augmentation', lectures: '21', mount: lazy('augmentation.js', 'mountAugmentation'), options: [] },
  { key: 'ensemble', tag: 'cnn-ensemble', id: 'ensemble', name: 'Ensembles and multi-crop at test time', lectures: '22', mount: lazy('ensemble.js', 'mountEnsemble'), options: [] },
  { key: 'localization', tag: 'cnn-localization', id: 'localization', name: 'Classification with localisation', lectures: '23–24', mount: lazy('localization.js', 'mountLocalization'), options: [] },
  { key: 'sliding', tag: 'cnn-sliding-windows', id: 'sliding-windows', name: 'Sliding windows, done convolutionally', lectures: '25–26', mount: lazy('sliding-windows.js', 'mountSlidingWindows'), options: [] },
  { key: 'iou', tag: 'cnn-iou', id: 'iou-lab', name: 'Intersection over union', lectures: '28', mount: lazy('iou-lab.js', 'mountIouLab'), options: ['case', 'a', 'b'] },
  { key: 'yolo', tag: 'cnn-yolo', id: 'yolo-grid', name: 'YOLO grid and anchor boxes', lectures: '27, 30, 31', mount: lazy('yolo-grid.js', 'mountYoloGrid'), options: ['example', 'grid', 'anchors', 'seed', 'boxes'] },
  { key: 'detector', tag: 'cnn-detector', id: 'detector-lab', name: 'A trained detector, step by step', lectures: '29, 31', mount: lazy('detector-lab.js', 'mountDetectorLab'), options: [] },
  { key: 'proposals', tag: 'cnn-region-proposals', id: 'region-proposals', name: 'Region proposals (R-CNN)', lectures: '32', mount: lazy('region-proposals.js', 'mountRegionProposals'), options: [] },
  { key: 'face', tag: 'cnn-face-detector', id: 'face-lab', name: 'Face detection and landmarks on your photos and webcam', lectures: '24, 27–31', mount: lazy('face-lab.js', 'mountFaceLab'), options: [] },
  { key: 'verify', tag: 'cnn-verification', id: 'verification', name: 'One-shot verification and the triplet loss', lectures: '33–37', mount: lazy('verification.js', 'mountVerification'), options: [] },
  { key: 'faceid', tag: 'cnn-face-id', id: 'face-id', name: 'Face alignment and verification with real face encodings', lectures: '24, 33–36', mount: lazy('face-id.js', 'mountFaceId'), options: [] },
  { key: 'style', tag: 'cnn-style-transfer', id: 'style-transfer', name: 'Neural style transfer', lectures: '38–42', mount: lazy('style-transfer.js', 'mountStyleTransfer'), options: [] },
];

/** The course's 43 lectures as its notes (../shared/course-notes.md) title them: number, title, week. */
export const LECTURES = [
  ['01', 'Computer Vision', 1],
  ['02', 'Edge Detection Example', 1],
  ['03', 'More Edge detection', 1],
  ['04', 'Padding', 1],
  ['05', 'Strided Convolutions', 1],
  ['06', 'Convolutions over Volume', 1],
  ['07', 'One Layer of a Convolutional Network', 1],
  ['08', 'Simple Convolutional Network Example', 1],
  ['09', 'Pooling Layers', 1],
  ['10', 'CNN Example', 1],
  ['11', 'Why Convolutions?', 1],
  ['12', 'Why look at case studies?', 2],
  ['13', 'Classic Networks', 2],
  ['14', 'ResNets', 2],
  ['15', 'Why ResNets Work', 2],
  ['16', 'Networks in Networks and 1x1 Convolutions', 2],
  ['17', 'Inception Network Motivation', 2],
  ['18', 'Inception Network', 2],
  ['19', 'Using Open-Source Implementation', 2],
  ['20', 'Transfer Learning', 2],
  ['21', 'Data Augmentation', 2],
  ['22', 'State of Computer Vision', 2],
  ['23', 'Object localization', 3],
  ['24', 'Landmark detection', 3],
  ['25', 'Object detection', 3],
  ['26', 'Convolutional implementation of sliding windows', 3],
  ['27', 'Bounding Box', 3],
  ['28', 'Intersection Over Union', 3],
  ['29', 'Non-max suppression', 3],
  ['30', 'Anchor Boxes', 3],
  ['31', 'YOLO Algorithm', 3],
  ['32', '(Optional) Region Proposals', 3],
  ['33', 'What is face recognition?', 4],
  ['34', 'One Shot Learning', 4],
  ['35', 'Siamese Network', 4],
  ['36', 'Triplet Loss', 4],
  ['37', 'Face Verification and Binary classification', 4],
  ['38', 'What is neural style transfer?', 4],
  ['39', 'What are deep ConvNets learning', 4],
  ['40', 'Cost function', 4],
  ['41', 'Content Cost Function', 4],
  ['42', 'Style Cost Function', 4],
  ['43', '1D and 3D Generalizations', 4]
].map(([number, title, week]) => ({ number, title: title.replace(/^\(Optional\) /, ''), optional: title.startsWith('(Optional)'), week }));

/** The lecture numbers a widget's `lectures` text names: "02–05" → 02, 03, 04, 05; "08, 10, 11". */
export function lectureNumbers(lectures) {
  return lectures.split(',').flatMap((part) => {
    const [from, to = from] = part.trim().split('–').map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => String(from + i).padStart(2, '0'));
  });
}

/** "lecture 09" or "lectures 02–05" for a widget's `lectures`. */
export const lectureText = (lectures) => (/[,–]/.test(lectures) ? `lectures ${lectures}` : `lecture ${lectures}`);

/** Every widget with its `title`, "name (lectures …)": the one text the page's headings, embed pages,
 * iframes and the teacher page show. */
export const WIDGETS = ENTRIES.map((w) => ({ ...w, title: `${w.name} (${lectureText(w.lectures)})` }));

/** The widget called `key`, or `undefined`. */
export const widget = (key) => WIDGETS.find((w) => w.key === key);

/** The site's root (the folder holding index.html, elements.js and embed.html). */
export const SITE = new URL('../', import.meta.url);
