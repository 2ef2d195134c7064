#!/usr/bin/python3
# A small CRI (runtime.v1.RuntimeService) client for the containerd lab test. It needs only Debian's
# python3-grpcio: requests and replies are protobuf encoded/decoded by hand here, for the handful of
# fields the test uses, instead of generating stubs from cri-api's api.proto.
#   cri_client.py SOCKET version
#   cri_client.py SOCKET run NAME NAMESPACE UID LOGDIR   -> prints the sandbox id
#   cri_client.py SOCKET status ID                      -> prints JSON {"state": 0|1, "ip": "…"}
#   cri_client.py SOCKET stop ID | remove ID
import json
import sys

import grpc


def enc_varint(n):
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        if n:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def field(num, value):
    """Encode one field: ints as varint (wire type 0), str/bytes as length-delimited (wire type 2)."""
    if isinstance(value, int):
        return enc_varint(num << 3) + enc_varint(value)
    data = value.encode() if isinstance(value, str) else value
    return enc_varint((num << 3) | 2) + enc_varint(len(data)) + data


def dec_varint(buf, pos):
    shift = result = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def decode(buf):
    """Top-level fields of a message as {number: [values]}; nested messages stay bytes."""
    fields, pos = {}, 0
    while pos < len(buf):
        key, pos = dec_varint(buf, pos)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, pos = dec_varint(buf, pos)
        elif wire == 2:
            size, pos = dec_varint(buf, pos)
            val, pos = bytes(buf[pos:pos + size]), pos + size
        elif wire == 1:
            val, pos = bytes(buf[pos:pos + 8]), pos + 8
        elif wire == 5:
            val, pos = bytes(buf[pos:pos + 4]), pos + 4
        else:
            raise ValueError("unsupported wire type %d" % wire)
        fields.setdefault(num, []).append(val)
    return fields


def first(fields, num, default=None):
    vals = fields.get(num)
    return vals[0] if vals else default


class Runtime:
    def __init__(self, socket):
        self.channel = grpc.insecure_channel("unix://" + socket)

    def call(self, method, request):
        rpc = self.channel.unary_unary(
            "/runtime.v1.RuntimeService/" + method,
            request_serializer=lambda b: b,
            response_deserializer=lambda b: b,
        )
        return decode(rpc(request, timeout=120))

    def version(self):
        r = self.call("Version", field(1, "v1"))
        return {"runtime": first(r, 2, b"").decode(), "version": first(r, 3, b"").decode()}

    def run(self, name, namespace, uid, logdir):
        # PodSandboxConfig: metadata{name, uid, namespace, attempt}, hostname, log_directory
        metadata = field(1, name) + field(2, uid) + field(3, namespace) + field(4, 0)
        config = field(1, metadata) + field(2, name) + field(3, logdir)
        return first(self.call("RunPodSandbox", field(1, config)), 1).decode()

    def status(self, sandbox_id):
        st = decode(first(self.call("PodSandboxStatus", field(1, sandbox_id)), 1, b""))
        net = decode(first(st, 5, b""))
        return {"state": first(st, 3, 0), "ip": first(net, 1, b"").decode()}

    def stop(self, sandbox_id):
        self.call("StopPodSandbox", field(1, sandbox_id))

    def remove(self, sandbox_id):
        self.call("RemovePodSandbox", field(1, sandbox_id))


def main(argv):
    rt = Runtime(argv[1])
    cmd, args = argv[2], argv[3:]
    if cmd == "version":
        print(json.dumps(rt.version()))
    elif cmd == "run":
        print(rt.run(*args))
    elif cmd == "status":
        print(json.dumps(rt.status(args[0])))
    elif cmd == "stop":
        rt.stop(args[0])
    elif cmd == "remove":
        rt.remove(args[0])
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
