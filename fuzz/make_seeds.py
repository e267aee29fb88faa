#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora into OUT_DIR/<target>/ (run by run.sh).

Seeds are the answers in tests/data (each API's fixture, the ID-card ones),
wrapped in each target's input format, plus small hand-made cases; with
--hostile also the inputs issue 7 names (deep nesting, 1e400, 1e300 in an
integer field, invalid UTF-8). Nothing here is committed as a binary.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def api_names():
    text = open(os.path.join(ROOT, "tests", "api_table.cpp"), encoding="utf-8").read()
    return re.findall(r'^\s*\{"([a-z0-9-]+)", "recognize_', text, re.M)


def response(status_byte, headers, body):
    head = "".join(h + "\n" for h in headers).encode()
    return bytes([status_byte, 0]) + head + b"\n\n" + (body if isinstance(body, bytes) else body.encode())


# status_from() in fuzz_common.h: index into its table.
S200, S400, S401, S403, S404, S429, S500, S503 = 0, 7, 8, 9, 10, 13, 14, 16


def write(out, target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def deep(n, inner="1"):
    return "[" * n + inner + "]" * n


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    hostile = "--hostile" in sys.argv
    out = args[0]
    names = api_names()
    data_dir = os.path.join(ROOT, "tests", "data")
    rid = "X-Request-Id: 3fa2c1d0-seed"

    error_bodies = [
        '{"error_code":"AIS.0101","error_msg":"The input parameter is invalid."}',
        '{"errorCode":"APIG.0308","errorMsg":"Too many requests"}',
        '{"error":{"code":401,"message":"The token expires.","title":"Unauthorized"}}',
        '{"code":"APIG.0301","message":"Incorrect IAM authentication information"}',
        '{"error_code":12,"error_msg":null}',
        "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        "",
    ]

    # fuzz_response: every API's fixture as a 200, and error answers.
    for index, name in enumerate(names):
        path = os.path.join(data_dir, "apis", name + ".json")
        if os.path.exists(path):
            body = json.dumps(json.load(open(path, encoding="utf-8")), ensure_ascii=False, separators=(",", ":"))
            write(out, "fuzz_response", name, bytes([index]) + response(S200, [rid, "Content-Type: application/json"], body))
    if "id-card" in names:
        index = names.index("id-card")
        for f in sorted(os.listdir(os.path.join(data_dir, "id-card"))):
            body = open(os.path.join(data_dir, "id-card", f), "rb").read()
            write(out, "fuzz_response", "id-card-" + f, bytes([index]) + response(S200, [rid], body))
    for i, body in enumerate(error_bodies):
        for status in (S400, S429, S500):
            write(out, "fuzz_response", "error-%d-%d" % (i, status),
                  bytes([i % len(names)]) + response(status, [rid, "Retry-After: 1"], body))
            write(out, "fuzz_error_body", "error-%d-%d" % (i, status), response(status, [rid], body))
    write(out, "fuzz_response", "not-json", bytes([0]) + response(S200, [rid], "not json"))

    # fuzz_json_reader: the answers as text, pretty-printed as the files are.
    for sub in ("apis", "id-card"):
        for f in sorted(os.listdir(os.path.join(data_dir, sub))):
            if f.endswith(".json"):
                write(out, "fuzz_json_reader", sub + "-" + f, open(os.path.join(data_dir, sub, f), "rb").read())
    for i, text in enumerate(['{"a":"\\ud800","b":1e400,"c":"\\q"}', '{"na\xffme":[1,2]}', "[1,]", "01"]):
        write(out, "fuzz_json_reader", "edge-%d" % i, text.encode("latin-1"))
    write(out, "fuzz_response", "no-result", bytes([1]) + response(S200, [rid], '{"results":{}}'))

    # fuzz_iam: token answers and project lists.
    token = {"token": {"expires_at": "2023-11-15T22:13:20.000000Z", "issued_at": "2023-11-14T22:13:20.000000Z",
                       "project": {"id": "05f1a2b3c4d5e6f7", "name": "cn-north-4"}, "methods": ["password"]}}
    write(out, "fuzz_iam", "token", bytes([1]) + response(S200, ["X-Subject-Token: MIIfake-token", rid], json.dumps(token)))
    write(out, "fuzz_iam", "token-expired-once", bytes([3]) + response(S200, ["X-Subject-Token: MIIfake", rid], json.dumps(token)))
    write(out, "fuzz_iam", "token-by-id", bytes([5]) + response(S200, ["X-Subject-Token: MIIfake"], json.dumps(token)))
    write(out, "fuzz_iam", "token-no-header", bytes([1]) + response(S200, [rid], json.dumps(token)))
    write(out, "fuzz_iam", "token-refused", bytes([1]) + response(S401, [rid], error_bodies[2]))
    projects = {"projects": [{"id": "05f1a2b3c4d5e6f7", "name": "cn-north-4", "enabled": True}],
                "links": {"self": "https://iam/v3/projects"}}
    write(out, "fuzz_iam", "projects", bytes([0]) + response(S200, [rid], json.dumps(projects)))
    write(out, "fuzz_iam", "projects-two", bytes([8]) + response(
        S200, [rid], json.dumps({"projects": [{"id": "a"}, {"id": "b"}]})))
    write(out, "fuzz_iam", "projects-none", bytes([0]) + response(S200, [rid], '{"projects":[]}'))
    write(out, "fuzz_iam", "projects-403", bytes([0]) + response(S403, [rid], error_bodies[3]))

    # fuzz_retry_after
    for i, value in enumerate(["2", "2 ", "120", "0", "Tue, 14 Nov 2023 22:13:20 GMT", "Wed, 21 Oct 2015 07:28:00 GMT",
                               "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                               "Sun Nov  6 08:49:37 1994", "999999999", "-1", ""]):
        write(out, "fuzz_retry_after", "seed-%d" % i, bytes([128]) + value.encode())

    # fuzz_image_probe: magic numbers and small headers of every format probed.
    png = (b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + (640).to_bytes(4, "big") + (480).to_bytes(4, "big")
           + b"\x08\x02\x00\x00\x00" + b"\x00" * 4)
    jpeg = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
            b"\xff\xc0\x00\x11\x08" + (480).to_bytes(2, "big") + (640).to_bytes(2, "big") + b"\x03" + b"\x01\x22\x00" * 3
            + b"\xff\xd9")
    bmp = b"BM" + b"\x00" * 12 + (40).to_bytes(4, "little") + (640).to_bytes(4, "little") + (480).to_bytes(4, "little") + b"\x01\x00\x18\x00"
    gif = b"GIF89a" + (640).to_bytes(2, "little") + (480).to_bytes(2, "little") + b"\x00\x00\x00"
    tiff_le = b"II*\x00\x08\x00\x00\x00" + b"\x02\x00" + b"\x00\x01\x03\x00\x01\x00\x00\x00\x80\x02\x00\x00" + b"\x01\x01\x03\x00\x01\x00\x00\x00\xe0\x01\x00\x00" + b"\x00" * 4
    tiff_be = b"MM\x00*\x00\x00\x00\x08" + b"\x00\x01" + b"\x01\x00\x00\x04\x00\x00\x00\x01\x00\x00\x02\x80" + b"\x00" * 4
    webp = b"RIFF\x24\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\x7f\x02\x00\xdf\x01\x00"
    webp_lossy = b"RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00\x00\x00\x00\x9d\x01\x2a\x80\x02\xe0\x01"
    webp_lossless = b"RIFF\x24\x00\x00\x00WEBPVP8L\x0a\x00\x00\x00\x2f\x7f\xc0\x77\x00"
    others = {"png": png, "jpeg": jpeg, "bmp": bmp, "gif": gif, "tiff-le": tiff_le, "tiff-be": tiff_be,
              "webp": webp, "webp-lossy": webp_lossy, "webp-lossless": webp_lossless,
              "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "ofd": b"PK\x03\x04\x14\x00\x00\x00\x08\x00OFD.xml",
              "pcx": b"\x0a\x05\x01\x08\x00\x00\x00\x00\x7f\x02\xdf\x01" + b"\x00" * 116,
              "ico": b"\x00\x00\x01\x00\x01\x00\x20\x20\x00\x00\x01\x00\x20\x00",
              "psd": b"8BPS\x00\x01" + b"\x00" * 6 + b"\x00\x03" + (480).to_bytes(4, "big") + (640).to_bytes(4, "big") + b"\x00\x08\x00\x03"}
    for name, head in others.items():
        write(out, "fuzz_image_probe", name, b"\x00\x00\x0f\x80\x10" + head)
        write(out, "fuzz_image_probe", name + "-limited", b"\x03\x00\x10\x04\x01" + head)

    # fuzz_sign: requests as the client and IAM lookups sign them.
    z = b"\x00"
    def sign_input(flags, method, url, headers, body):
        parts = bytes([flags, 3]) + method + z + url + z
        for n, v in headers:
            parts += n + z + v + z
        return parts + z + body
    write(out, "fuzz_sign", "post", sign_input(7, b"POST", b"https://ocr.cn-north-4.myhuaweicloud.com/v2/p/ocr/id-card",
                                               [(b"Content-Type", b"application/json;charset=UTF-8"), (b"X-Project-Id", b"p")],
                                               b'{"image":"aGVsbG8="}'))
    write(out, "fuzz_sign", "get-query", sign_input(1, b"GET", b"https://iam.myhuaweicloud.com/v3/projects?name=cn-north-4&b=%20x&a=1&a",
                                                    [(b"User-Agent", b"hwocr/0.1.0 "), (b"x_under", b"1")], b""))
    write(out, "fuzz_sign", "odd", sign_input(6, b"PUT", b"http://user:pw@[::1]:8080/a%2Fb/../c//d/?x=%zz&%41=+#frag",
                                              [(b"Host", b"\t h \t"), (b"X-Sdk-Date", b"20200608T023900Z")], b"a=1&b"))
    write(out, "fuzz_sign", "vectors", sign_input(7, b"POST", b"https://h/x", [], open(os.path.join(data_dir, "sign-vectors.json"), "rb").read()[:4096]))

    # fuzz_options_json
    for i, text in enumerate(['{"vat_invoice":{"advanced_mode":true}}', "{}", '{"a":[1,2,{"b":null}]}', "[]",
                              '{"a":"\\u00e9\\ud83d\\ude00"}', "not json", '{"image":"x"}', ""]):
        for mode in (0, 0x30, 2, 3, 4, 0x12):
            write(out, "fuzz_options_json", "seed-%d-%d" % (i, mode), bytes([mode]) + text.encode())

    # fuzz_response_headers
    write(out, "fuzz_response_headers", "basic", b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Request-Id: abc\r\n\r\n")
    write(out, "fuzz_response_headers", "continue", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many\r\nRetry-After: 2 \r\n\r\n")
    write(out, "fuzz_response_headers", "odd", b"X-A:\t v \t\r\n folded\r\nnocolon\r\n: empty\r\nX-B:\r\nX-C: a\rb\r\n")

    if not hostile:
        return
    # Issue 7 items 1 and 5: known defects; these seeds crash the unfixed library.
    n = 100000
    for name in ("general-text", "id-card"):
        if name in names:
            index = names.index(name)
            write(out, "fuzz_response", "hostile-deep-result-" + name,
                  bytes([index]) + response(S200, [rid], '{"result":{"words_block_list":' + deep(n) + "}}"))
            write(out, "fuzz_response", "hostile-1e300-" + name, bytes([index]) + response(
                S200, [rid], '{"result":{"words_block_count":1e300,"direction":-1e300,"words_block_list":'
                             '[{"words":"x","location":[[1e300,-1e300],[18446744073709551615,2]]}],'
                             '"number":1e300,"side":"front"}}'))
            write(out, "fuzz_response", "hostile-1e400-" + name,
                  bytes([index]) + response(S200, [rid], '{"result":{"words_block_count":1e400,"name":"ok"}}'))
            write(out, "fuzz_response", "hostile-utf8-" + name,
                  bytes([index]) + response(S200, [rid], b'{"result":{"words_block_count":1,"name":"\xff\xfe"}}'))
    deep_error = '{"error_code":' + deep(n) + ',"error_msg":"x"}'
    write(out, "fuzz_response", "hostile-deep-error", bytes([0]) + response(S400, [rid], deep_error))
    write(out, "fuzz_error_body", "hostile-deep-error", response(S400, [rid], deep_error))
    write(out, "fuzz_iam", "hostile-deep-token", bytes([1]) + response(
        S200, ["X-Subject-Token: MIIfake"], '{"token":{"x":' + deep(n) + "}}"))
    write(out, "fuzz_iam", "hostile-deep-iam-error", bytes([1]) + response(S401, [rid], deep_error))
    write(out, "fuzz_retry_after", "hostile-far-date", bytes([128]) + b"Fri, 31 Dec 9999 23:59:59 GMT")
    write(out, "fuzz_options_json", "hostile-deep-option", bytes([0]) + ('{"a":' + deep(n) + "}").encode())
    write(out, "fuzz_options_json", "hostile-utf8-url", bytes([0x14]) + b"\xff\xfe")


if __name__ == "__main__":
    main()
