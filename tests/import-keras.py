# import-keras.py KIND DIR N: writes a Keras model file in Keras' own
# layout with h5py (no Keras needed) and its predictions for the N images
# of DIR/inputs.bin ([N, H, W, C] float32), computed here in numpy.
#   legacy-h5: tf.keras 2 model.save("model.h5") of a Sequential CNN
#              (keras/src/legacy/saving/legacy_h5_format.py)
#   keras3-h5: Keras 3 model.save("model.h5") of a Sequential MLP
#   keras3:    Keras 3 model.save("model.keras") of a functional CNN
#              (keras/src/saving/saving_lib.py: config.json, metadata.json,
#              model.weights.h5 with layers/<name>/vars/<i>)
# Prints the file name and the layer classes in order.  Used by
# tests/test-import.c; no network.
import io
import json
import sys
import zipfile

import h5py
import numpy as np

kind, out_dir, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = np.random.default_rng(7)


def rand(*shape, scale=0.2):
    return (rng.standard_normal(shape) * scale).astype("float32")


def conv(x, k, b, padding, stride=1):
    kh = k.shape[0]
    nb, h, w, _ = x.shape
    if padding == "same":
        ho, wo = -(-h // stride), -(-w // stride)
        th = max((ho - 1) * stride + kh - h, 0)
        tw = max((wo - 1) * stride + kh - w, 0)
        x = np.pad(x, ((0, 0), (th // 2, th - th // 2), (tw // 2, tw - tw // 2), (0, 0)))
    else:
        ho, wo = (h - kh) // stride + 1, (w - kh) // stride + 1
    y = np.zeros((nb, ho, wo, k.shape[3]))
    for dy in range(kh):
        for dx in range(kh):
            patch = x[:, dy:dy + stride * (ho - 1) + 1:stride, dx:dx + stride * (wo - 1) + 1:stride, :]
            y += np.einsum("nhwc,cf->nhwf", patch, k[dy, dx])
    return y + b if b is not None else y


def maxpool(x, p=2):
    nb, h, w, c = x.shape
    ho, wo = h // p, w // p
    return x[:, :ho * p, :wo * p, :].reshape(nb, ho, p, wo, p, c).max(axis=(2, 4))


def bn(x, g, b, m, v, eps):
    return (x - m) / np.sqrt(v + eps) * g + b


def relu(x):
    return np.maximum(x, 0)


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def glorot(cls="GlorotUniform"):
    return {"class_name": cls, "config": {"seed": None}}


def k2_layer(cls, config):
    # tf.keras 2: {"class_name", "config"}
    return {"class_name": cls, "config": config}


def k3_layer(cls, config, inbound=None, build=None):
    # Keras 3 serialize_keras_object: module, class_name, config, registered_name
    d = {"module": "keras.layers", "class_name": cls, "config": config, "registered_name": None}
    if build is not None:
        d["build_config"] = {"input_shape": build}
    if inbound is not None:
        d["name"] = config["name"]
        d["inbound_nodes"] = inbound
    return d


def k3_tensor(name, shape):
    return {"args": [{"class_name": "__keras_tensor__",
                      "config": {"shape": shape, "dtype": "float32", "keras_history": [name, 0, 0]}}],
            "kwargs": {}}


def str_list_attr(group, name, values):
    # Keras: numpy array of UTF-8 bytes, a fixed-length string array.
    group.attrs[name] = np.array([v.encode("utf8") for v in values])


x = np.fromfile(out_dir + "/inputs.bin", dtype="<f4").astype(np.float64)
dtype_k3 = {"module": "keras", "class_name": "DTypePolicy", "config": {"name": "float32"},
            "registered_name": None}

if kind == "legacy-h5":
    x = x.reshape(n, 28, 28, 1)
    w = {"conv2d": [rand(3, 3, 1, 8), rand(8)],
         "conv2d_1": [rand(3, 3, 8, 16)],
         "batch_normalization": [1 + rand(16), rand(16), rand(16),
                                 (rng.random(16) + 0.5).astype("float32")],
         "dense": [rand(576, 32, scale=0.05), rand(32)],
         "dense_1": [rand(32, 10), rand(10)]}
    y = maxpool(relu(conv(x, *w["conv2d"], "valid")))
    y = conv(y, w["conv2d_1"][0], None, "same")
    y = maxpool(relu(bn(y, *w["batch_normalization"], 0.001)))
    y = relu(y.reshape(n, -1) @ w["dense"][0] + w["dense"][1])
    y = softmax(y @ w["dense_1"][0] + w["dense_1"][1])
    layers = [
        k2_layer("InputLayer", {"batch_input_shape": [None, 28, 28, 1], "dtype": "float32",
                                "sparse": False, "ragged": False, "name": "input_1"}),
        k2_layer("Conv2D", {"name": "conv2d", "trainable": True, "dtype": "float32", "filters": 8,
                            "kernel_size": [3, 3], "strides": [1, 1], "padding": "valid",
                            "data_format": "channels_last", "dilation_rate": [1, 1], "groups": 1,
                            "activation": "relu", "use_bias": True,
                            "kernel_initializer": glorot(), "bias_initializer": {"class_name": "Zeros", "config": {}},
                            "kernel_regularizer": None, "bias_regularizer": None,
                            "activity_regularizer": None, "kernel_constraint": None,
                            "bias_constraint": None}),
        k2_layer("MaxPooling2D", {"name": "max_pooling2d", "trainable": True, "dtype": "float32",
                                  "pool_size": [2, 2], "padding": "valid", "strides": [2, 2],
                                  "data_format": "channels_last"}),
        k2_layer("Conv2D", {"name": "conv2d_1", "trainable": True, "dtype": "float32",
                            "filters": 16, "kernel_size": [3, 3], "strides": [1, 1],
                            "padding": "same", "data_format": "channels_last",
                            "dilation_rate": [1, 1], "groups": 1, "activation": "linear",
                            "use_bias": False, "kernel_initializer": glorot("HeNormal"),
                            "bias_initializer": {"class_name": "Zeros", "config": {}},
                            "kernel_regularizer": None}),
        k2_layer("BatchNormalization", {"name": "batch_normalization", "trainable": True,
                                        "dtype": "float32", "axis": [3], "momentum": 0.99,
                                        "epsilon": 0.001, "center": True, "scale": True}),
        k2_layer("Activation", {"name": "activation", "trainable": True, "dtype": "float32",
                                "activation": "relu"}),
        k2_layer("MaxPooling2D", {"name": "max_pooling2d_1", "trainable": True,
                                  "dtype": "float32", "pool_size": [2, 2], "padding": "valid",
                                  "strides": [2, 2], "data_format": "channels_last"}),
        k2_layer("Flatten", {"name": "flatten", "trainable": True, "dtype": "float32",
                             "data_format": "channels_last"}),
        k2_layer("Dropout", {"name": "dropout", "trainable": True, "dtype": "float32",
                             "rate": 0.25, "noise_shape": None, "seed": None}),
        k2_layer("Dense", {"name": "dense", "trainable": True, "dtype": "float32", "units": 32,
                           "activation": "relu", "use_bias": True,
                           "kernel_initializer": glorot(),
                           "bias_initializer": {"class_name": "Zeros", "config": {}},
                           "kernel_regularizer": {"class_name": "L2", "config": {"l2": 0.0005}}}),
        k2_layer("Dense", {"name": "dense_1", "trainable": True, "dtype": "float32", "units": 10,
                           "activation": "softmax", "use_bias": True,
                           "kernel_initializer": glorot(),
                           "bias_initializer": {"class_name": "Zeros", "config": {}},
                           "kernel_regularizer": None}),
    ]
    config = {"class_name": "Sequential", "config": {"name": "sequential", "layers": layers}}
    training = {"loss": "sparse_categorical_crossentropy", "metrics": [["accuracy"]],
                "weighted_metrics": None, "loss_weights": None,
                "optimizer_config": {"class_name": "Custom>SGD",
                                     "config": {"name": "SGD", "learning_rate": 0.05,
                                                "momentum": 0.9, "nesterov": True,
                                                "weight_decay": None}}}
    path = out_dir + "/model.h5"
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "2.15.0"
        f.attrs["backend"] = "tensorflow"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        f.attrs["training_config"] = json.dumps(training).encode("utf8")
        mw = f.create_group("model_weights")
        names = [l["config"]["name"] for l in layers]
        str_list_attr(mw, "layer_names", names)
        mw.attrs["backend"] = b"tensorflow"
        mw.attrs["keras_version"] = b"2.15.0"
        for name in sorted(names):
            g = mw.create_group(name)
            vars_ = w.get(name, [])
            vn = {"batch_normalization": ["gamma", "beta", "moving_mean", "moving_variance"]}.get(
                name, ["kernel", "bias"])[:len(vars_)]
            wnames = ["%s/%s:0" % (name, v) for v in vn]
            str_list_attr(g, "weight_names", wnames)
            for wn, val in zip(wnames, vars_):
                g.create_dataset(wn, data=val)
        og = f.create_group("optimizer_weights")
        str_list_attr(og, "weight_names", ["SGD/iter:0"])
        og.create_dataset("SGD/iter:0", data=np.int64(100))
    classes = [l["class_name"] for l in layers[1:]]

elif kind == "keras3-h5":
    x = x.reshape(n, 784)
    w = {"dense": [rand(784, 64, scale=0.05), rand(64)], "dense_1": [rand(64, 10), rand(10)]}
    y = relu(x @ w["dense"][0] + w["dense"][1])
    y = softmax(y @ w["dense_1"][0] + w["dense_1"][1])
    layers = [
        k3_layer("InputLayer", {"batch_shape": [None, 784], "dtype": "float32", "sparse": False,
                                "name": "input_layer"}),
        k3_layer("Dense", {"name": "dense", "trainable": True, "dtype": dtype_k3, "units": 64,
                           "activation": "relu", "use_bias": True,
                           "kernel_initializer": {"module": "keras.initializers",
                                                  "class_name": "GlorotUniform",
                                                  "config": {"seed": None}, "registered_name": None},
                           "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
                                                "config": {}, "registered_name": None},
                           "kernel_regularizer": None, "bias_regularizer": None,
                           "kernel_constraint": None, "bias_constraint": None},
                 build=[None, 784]),
        k3_layer("Dropout", {"name": "dropout", "trainable": True, "dtype": dtype_k3,
                             "rate": 0.2, "seed": None, "noise_shape": None}),
        k3_layer("Dense", {"name": "dense_1", "trainable": True, "dtype": dtype_k3, "units": 10,
                           "activation": "softmax", "use_bias": True}, build=[None, 64]),
    ]
    config = {"class_name": "Sequential",
              "config": {"name": "sequential", "trainable": True, "dtype": dtype_k3,
                         "layers": layers}}
    training = {"loss": "sparse_categorical_crossentropy", "loss_weights": None,
                "metrics": ["accuracy"], "weighted_metrics": None, "run_eagerly": False,
                "steps_per_execution": 1, "jit_compile": False,
                "optimizer_config": {"class_name": "RMSprop",
                                     "config": {"name": "rmsprop", "learning_rate": 0.002,
                                                "rho": 0.8, "momentum": 0.0, "epsilon": 1e-07,
                                                "centered": False}}}
    path = out_dir + "/model.h5"
    with h5py.File(path, "w") as f:
        f.attrs["keras_version"] = "3.3.3"
        f.attrs["backend"] = "jax"
        f.attrs["model_config"] = json.dumps(config).encode("utf8")
        f.attrs["training_config"] = json.dumps(training).encode("utf8")
        mw = f.create_group("model_weights")
        names = ["dense", "dropout", "dense_1"]
        str_list_attr(mw, "layer_names", names)
        mw.attrs["backend"] = b"jax"
        mw.attrs["keras_version"] = b"3.3.3"
        for name in sorted(names):
            g = mw.create_group(name)
            wnames = ["sequential/%s/%s" % (name, v) for v in ["kernel", "bias"][:len(w.get(name, []))]]
            str_list_attr(g, "weight_names", wnames)
            for wn, val in zip(wnames, w.get(name, [])):
                g.create_dataset(wn, data=val)
        t = mw.create_group("top_level_model_weights")
        str_list_attr(t, "weight_names", [])
    classes = [l["class_name"] for l in layers[1:]]

elif kind == "keras3":
    x = x.reshape(n, 32, 32, 3)
    w = {"conv2d": [rand(3, 3, 3, 8), rand(8)],
         "batch_normalization": [1 + rand(8), rand(8), rand(8), (rng.random(8) + 0.5).astype("float32")],
         "conv2d_1": [rand(3, 3, 8, 16), rand(16)],
         "dense": [rand(16, 10), rand(10)]}
    y = relu(conv(x, *w["conv2d"], "same"))
    y = maxpool(bn(y, *w["batch_normalization"], 0.001))
    y = relu(conv(y, *w["conv2d_1"], "valid"))
    y = softmax(y.mean(axis=(1, 2)) @ w["dense"][0] + w["dense"][1])
    specs = [("InputLayer", "input_layer", {"batch_shape": [None, 32, 32, 3], "dtype": "float32",
                                            "sparse": False}),
             ("Conv2D", "conv2d", {"filters": 8, "kernel_size": [3, 3], "strides": [1, 1],
                                   "padding": "same", "data_format": "channels_last",
                                   "dilation_rate": [1, 1], "groups": 1, "activation": "relu",
                                   "use_bias": True}),
             ("BatchNormalization", "batch_normalization", {"axis": -1, "momentum": 0.9,
                                                            "epsilon": 0.001, "center": True,
                                                            "scale": True}),
             ("MaxPooling2D", "max_pooling2d", {"pool_size": [2, 2], "padding": "valid",
                                                "strides": [2, 2],
                                                "data_format": "channels_last"}),
             ("Conv2D", "conv2d_1", {"filters": 16, "kernel_size": [3, 3], "strides": [1, 1],
                                     "padding": "valid", "data_format": "channels_last",
                                     "dilation_rate": [1, 1], "groups": 1,
                                     "activation": "relu", "use_bias": True}),
             ("GlobalAveragePooling2D", "global_average_pooling2d",
              {"data_format": "channels_last", "keepdims": False}),
             ("Dense", "dense", {"units": 10, "activation": "softmax", "use_bias": True})]
    layers = []
    prev = None
    for cls, name, cfg in specs:
        cfg = dict(cfg, name=name)
        if cls != "InputLayer":
            cfg.update(trainable=True, dtype=dtype_k3)
        inbound = [] if prev is None else [k3_tensor(prev, [None, 1])]
        layers.append(k3_layer(cls, cfg, inbound=inbound))
        prev = name
    config = {"module": "keras", "class_name": "Functional",
              "config": {"name": "functional", "trainable": True,
                         "layers": layers, "input_layers": ["input_layer", 0, 0],
                         "output_layers": ["dense", 0, 0]},
              "registered_name": "Functional", "build_config": {"input_shape": None},
              "compile_config": {"optimizer": {"module": "keras.optimizers", "class_name": "Adam",
                                               "config": {"name": "adam", "learning_rate": 0.0005,
                                                          "beta_1": 0.9, "beta_2": 0.99,
                                                          "epsilon": 1e-07, "amsgrad": False},
                                               "registered_name": None},
                                 "loss": "sparse_categorical_crossentropy", "loss_weights": None,
                                 "metrics": ["accuracy"], "weighted_metrics": None,
                                 "run_eagerly": False, "steps_per_execution": 1,
                                 "jit_compile": False}}
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.create_group("vars")
        for cls, name, _ in specs:
            g = f.create_group("layers/" + name + "/vars")
            g.attrs["name"] = name
            for i, val in enumerate(w.get(name, [])):
                g.create_dataset(str(i), data=val)
        f.create_group("optimizer/vars")
    path = out_dir + "/model.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.3.3",
                                                 "date_saved": "2024-05-01@12:00:00"}))
        z.writestr("config.json", json.dumps(config))
        z.writestr("model.weights.h5", buf.getvalue())
    classes = [s[0] for s in specs[1:]]
else:
    raise SystemExit("unknown kind " + kind)

np.ascontiguousarray(y, dtype="<f4").tofile(out_dir + "/outputs.bin")
print(path)
print(" ".join(classes))
