// Every widget of the playground, once: its key (embed.html?widget=…, URL parameters), its custom
// element's tag, its name and the lectures it illustrates (the page's headings come from here), the id of its place on the full page, the options it reads (element
// attributes and URL parameters) and its mount function `mount(root, api, options)`.

import { mountConvExplainer } from '../widgets/conv-explainer.js';
import { mountEdgeLab } from '../widgets/edge-lab.js';
import { mountPoolExplainer } from '../widgets/pool-explainer.js';
import { mountNetworkShapes } from '../widgets/network-shapes.js';
import { mountVolumeLab } from '../widgets/volume-lab.js';
import { mountGeneralize } from '../widgets/generalize.js';
import { mountLocalization } from '../widgets/localization.js';
import { mountIouLab } from '../widgets/iou-lab.js';
import { mountYoloGrid } from '../widgets/yolo-grid.js';
import { mountDetectorLab } from '../widgets/detector-lab.js';
import { mountFaceLab } from '../widgets/face-lab.js';
import { mountSlidingWindows } from '../widgets/sliding-windows.js';
import { mountLenetLab } from '../widgets/lenet-lab.js';
import { mountExplorer } from '../widgets/explorer.js';
import { mountBottleneck } from '../widgets/bottleneck.js';
import { mountResidual } from '../widgets/residual.js';
import { mountAugmentation } from '../widgets/augmentation.js';
import { mountTransfer } from '../widgets/transfer.js';
import { mountVerification } from '../widgets/verification.js';
import { mountFaceId } from '../widgets/face-id.js';
import { mountStyleTransfer } from '../widgets/style-transfer.js';

const ENTRIES = [
  { key: 'conv', tag: 'cnn-conv', id: 'conv-explainer', name: 'Edge detection, padding and stride', lectures: '02–05', mount: mountConvExplainer, options: ['input', 'n', 'values', 'filter', 'f', 'kernel', 'p', 's'] },
  { key: 'edge', tag: 'cnn-edge', id: 'edge-lab', name: 'Edge detection on images', lectures: '02–03', mount: mountEdgeLab, options: ['image', 'filter', 'kernel', 'absolute', 'pool'] },
  { key: 'volume', tag: 'cnn-volume', id: 'volume-lab', name: 'Convolution over volume, one layer', lectures: '06–07', mount: mountVolumeLab, options: [] },
  { key: 'pool', tag: 'cnn-pool', id: 'pool-explainer', name: 'Pooling', lectures: '09', mount: mountPoolExplainer, options: ['mode', 'f', 's', 'p', 'values'] },
  { key: 'shapes', tag: 'cnn-shapes', id: 'network-shapes', name: 'Shapes and parameters of a ConvNet', lectures: '08, 10, 11', mount: mountNetworkShapes, options: [] },
  { key: 'conv1d3d', tag: 'cnn-conv-1d-3d', id: 'generalize', name: '1D and 3D convolution', lectures: '43', mount: mountGeneralize, options: [] },
  { key: 'lenet', tag: 'cnn-lenet', id: 'lenet-lab', name: 'LeNet-5 reads your handwriting', lectures: '10, 13', mount: mountLenetLab, options: [] },
  { key: 'model', tag: 'cnn-model', id: 'explorer', name: 'The model explorer', lectures: '13–18, 39', mount: mountExplorer, options: ['model', 'src'] },
  { key: 'residual', tag: 'cnn-residual', id: 'residual', name: 'A residual block', lectures: '14–15', mount: mountResidual, options: ['scale'] },
  { key: 'bottleneck', tag: 'cnn-bottleneck', id: 'bottleneck', name: '1×1 convolutions and the bottleneck', lectures: '16–17', mount: mountBottleneck, options: ['h', 'w', 'c', 'f', 'k', 'r'] },
  { key: 'transfer', tag: 'cnn-transfer', id: 'transfer', name: 'Transfer learning', lectures: '20', mount: mountTransfer, options: [] },
  { key: 'augment', tag: 'cnn-augment', id: 'augmentation', name: 'Data augmentation', lectures: '21', mount: mountAugmentation, options: [] },
  { key: 'localization', tag: 'cnn-localization', id: 'localization', name: 'Classification with localisation', lectures: '23–24', mount: mountLocalization, options: [] },
  { key: 'sliding', tag: 'cnn-sliding-windows', id: 'sliding-windows', name: 'Sliding windows, done convolutionally', lectures: '25–26', mount: mountSlidingWindows, options: [] },
  { key: 'iou', tag: 'cnn-iou', id: 'iou-lab', name: 'Intersection over union', lectures: '28', mount: mountIouLab, options: ['case', 'a', 'b'] },
  { key: 'yolo', tag: 'cnn-yolo', id: 'yolo-grid', name: 'YOLO grid and anchor boxes', lectures: '27, 30, 31', mount: mountYoloGrid, options: ['example', 'grid', 'anchors', 'seed', 'boxes'] },
  { key: 'detector', tag: 'cnn-detector', id: 'detector-lab', name: 'A trained detector, step by step', lectures: '29, 31', mount: mountDetectorLab, options: [] },
  { key: 'face', tag: 'cnn-face-detector', id: 'face-lab', name: 'Face detection on your photos and webcam', lectures: '27–31', mount: mountFaceLab, options: [] },
  { key: 'verify', tag: 'cnn-verification', id: 'verification', name: 'One-shot verification and the triplet loss', lectures: '33–37', mount: mountVerification, options: [] },
  { key: 'faceid', tag: 'cnn-face-id', id: 'face-id', name: 'Face verification with real face encodings', lectures: '33–36', mount: mountFaceId, options: [] },
  { key: 'style', tag: 'cnn-style-transfer', id: 'style-transfer', name: 'Neural style transfer', lectures: '38–42', mount: mountStyleTransfer, options: [] },
];

/** "lecture 09" or "lectures 02–05" for a widget's `lectures`. */
export const lectureText = (lectures) => (/[,–]/.test(lectures) ? `lectures ${lectures}` : `lecture ${lectures}`);

/** Every widget with its `title`, "name (lectures …)": the one text the page's headings, embed pages,
 * iframes and the teacher page show. */
export const WIDGETS = ENTRIES.map((w) => ({ ...w, title: `${w.name} (${lectureText(w.lectures)})` }));

/** The widget called `key`, or `undefined`. */
export const widget = (key) => WIDGETS.find((w) => w.key === key);

/** The site's root (the folder holding index.html, elements.js and embed.html). */
export const SITE = new URL('../', import.meta.url);
