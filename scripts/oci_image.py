#!/usr/bin/env python3
"""oci_image.py: writes a reproducible OCI image layout (used by
scripts/build-image; Python's standard library only).

  oci_image.py --out DIR --epoch N --name REF [--base-layout DIR]
               [--entrypoint PATH] [--label KEY=VALUE]...
               --file SRC:DEST:MODE...

One new layer holds each SRC at DEST (an absolute path in the image) with
octal MODE, and the directories above it (0755); every entry is owned by
0:0, dated N (SOURCE_DATE_EPOCH), in name order, and gzip-compressed with
no name or time in its header. With --base-layout (a one-image OCI layout,
as `crane pull --format=oci --platform linux/amd64` writes it) the layer
goes on top of that image's layers, keeping its manifest and layer media
types; without, the image is FROM scratch, linux/amd64. The same inputs
give the same bytes, so the same digest. Prints the manifest's digest.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import time

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip"


def die(msg):
    sys.exit(f"oci_image.py: {msg}")


def dumps(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


class Layout:
    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.join(path, "blobs", "sha256"), exist_ok=True)

    def put(self, data):
        d = hashlib.sha256(data).hexdigest()
        p = os.path.join(self.path, "blobs", "sha256", d)
        if not os.path.exists(p):
            with open(p + ".tmp", "wb") as f:
                f.write(data)
            os.rename(p + ".tmp", p)
        return "sha256:" + d, len(data)


def blob_path(layout, digest):
    algo, hexd = digest.split(":", 1)
    return os.path.join(layout, "blobs", algo, hexd)


def read_json_blob(layout, digest):
    with open(blob_path(layout, digest), "rb") as f:
        return json.loads(f.read())


def make_layer(files, epoch):
    """files: [(src, dest, mode)]. Returns (uncompressed tar, gzipped tar)."""
    entries = {}
    for src, dest, mode in files:
        rel = dest.strip("/")
        parts = rel.split("/")
        for i in range(1, len(parts)):
            entries.setdefault("/".join(parts[:i]) + "/", ("dir", None, 0o755))
        entries[rel] = ("file", src, mode)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name in sorted(entries):
            kind, src, mode = entries[name]
            ti = tarfile.TarInfo(name)
            ti.uid = ti.gid = 0
            ti.uname = ti.gname = ""
            ti.mtime = epoch
            ti.mode = mode
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                tar.addfile(ti)
            else:
                with open(src, "rb") as f:
                    data = f.read()
                ti.size = len(data)
                tar.addfile(ti, io.BytesIO(data))
    raw = raw.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=gz, mtime=0, compresslevel=9) as g:
        g.write(raw)
    return raw, gz.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--epoch", type=int, required=True)
    ap.add_argument("--name", required=True)
    ap.add_argument("--base-layout")
    ap.add_argument("--entrypoint")
    ap.add_argument("--label", action="append", default=[])
    ap.add_argument("--file", action="append", default=[], required=True)
    ap.add_argument("--created-by", default="t3q scripts/build-image")
    a = ap.parse_args()

    files = []
    for spec in a.file:
        src, dest, mode = spec.rsplit(":", 2)
        if not dest.startswith("/"):
            die(f"{dest}: the path in the image must be absolute")
        files.append((src, dest, int(mode, 8)))
    labels = {}
    for kv in a.label:
        k, _, v = kv.partition("=")
        labels[k] = v
    created = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(a.epoch))

    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    out = Layout(a.out)
    raw, gz = make_layer(files, a.epoch)
    diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
    layer_digest, layer_size = out.put(gz)
    history = {"created": created, "created_by": a.created_by,
               "comment": " ".join(d for _, d, _ in files)}

    if a.base_layout:
        with open(os.path.join(a.base_layout, "index.json")) as f:
            index = json.load(f)
        if len(index.get("manifests", [])) != 1:
            die(f"{a.base_layout}: want one image in the layout, found {len(index.get('manifests', []))}")
        desc = index["manifests"][0]
        manifest = read_json_blob(a.base_layout, desc["digest"])
        mt = manifest.get("mediaType", desc.get("mediaType", OCI_MANIFEST))
        if mt not in (OCI_MANIFEST, DOCKER_MANIFEST):
            die(f"the base is a {mt}, not one image (pull it with --platform)")
        config = read_json_blob(a.base_layout, manifest["config"]["digest"])
        if (config.get("os"), config.get("architecture")) != ("linux", "amd64"):
            die(f"the base is {config.get('os')}/{config.get('architecture')}, not linux/amd64")
        for layer in manifest["layers"]:
            src = blob_path(a.base_layout, layer["digest"])
            dst = blob_path(a.out, layer["digest"])
            if not os.path.exists(dst):
                shutil.copyfile(src, dst)
        config["created"] = created
        config.setdefault("rootfs", {"type": "layers", "diff_ids": []})["diff_ids"].append(diff_id)
        config.setdefault("history", []).append(history)
        cfg = config.setdefault("config", {})
        if a.entrypoint:
            cfg["Entrypoint"] = [a.entrypoint]
        if labels:
            cfg.setdefault("Labels", {}).update(labels)
        config_digest, config_size = out.put(dumps(config))
        manifest["config"] = dict(manifest["config"], digest=config_digest, size=config_size)
        manifest["layers"].append({
            "mediaType": DOCKER_LAYER if mt == DOCKER_MANIFEST else OCI_LAYER,
            "digest": layer_digest, "size": layer_size})
        manifest.pop("annotations", None)  # the base's, e.g. its base.digest
    else:
        mt = OCI_MANIFEST
        config = {
            "created": created,
            "architecture": "amd64",
            "os": "linux",
            "config": {"Entrypoint": [a.entrypoint] if a.entrypoint else None, "Labels": labels},
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [history],
        }
        if not a.entrypoint:
            del config["config"]["Entrypoint"]
        config_digest, config_size = out.put(dumps(config))
        manifest = {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": OCI_LAYER, "digest": layer_digest, "size": layer_size}],
        }
    manifest_digest, manifest_size = out.put(dumps(manifest))
    tag = a.name.rsplit("/", 1)[-1].partition(":")[2] or "latest"
    index = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": mt, "digest": manifest_digest, "size": manifest_size,
            "platform": {"architecture": "amd64", "os": "linux"},
            # a tag, as the image spec wants; containerd's import reads the
            # whole name from its own annotation
            "annotations": {"org.opencontainers.image.ref.name": tag,
                            "io.containerd.image.name": a.name},
        }],
    }
    with open(os.path.join(a.out, "index.json"), "wb") as f:
        f.write(dumps(index))
    with open(os.path.join(a.out, "oci-layout"), "wb") as f:
        f.write(dumps({"imageLayoutVersion": "1.0.0"}))
    print(manifest_digest)


if __name__ == "__main__":
    main()
