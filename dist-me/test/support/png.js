// Reads the pixels of an 8-bit RGB or RGBA PNG (what Chromium's screenshots
// are): enough to tell that a page rendered the colours it should.
import { inflateSync } from "node:zlib";
export function readPng(png) {
    if (png.readUInt32BE(0) !== 0x89504e47)
        throw new Error("not a PNG");
    let width = 0;
    let height = 0;
    let channels = 0;
    const idat = [];
    for (let at = 8; at < png.length;) {
        const length = png.readUInt32BE(at);
        const type = png.toString("latin1", at + 4, at + 8);
        const data = png.subarray(at + 8, at + 8 + length);
        if (type === "IHDR") {
            [width, height] = [data.readUInt32BE(0), data.readUInt32BE(4)];
            if (data[8] !== 8 || data[12] !== 0)
                throw new Error("only 8-bit, non-interlaced PNGs");
            channels = { 2: 3, 6: 4 }[data[9]] ?? 0;
            if (!channels)
                throw new Error(`colour type ${data[9]} is not RGB or RGBA`);
        }
        else if (type === "IDAT")
            idat.push(data);
        at += 12 + length;
    }
    const raw = inflateSync(Buffer.concat(idat));
    const stride = width * channels;
    const pixels = Buffer.alloc(height * stride);
    for (let y = 0; y < height; y++) {
        const filter = raw[y * (stride + 1)];
        const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
        for (let i = 0; i < stride; i++) {
            const a = i >= channels ? pixels[y * stride + i - channels] : 0;
            const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
            const c = y > 0 && i >= channels ? pixels[(y - 1) * stride + i - channels] : 0;
            const p = a + b - c;
            const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
            const predictor = [0, a, b, (a + b) >> 1, pa <= pb && pa <= pc ? a : pb <= pc ? b : c][filter];
            pixels[y * stride + i] = (line[i] + predictor) & 0xff;
        }
    }
    return {
        width,
        height,
        pixel: (x, y) => pixels.toString("hex", y * stride + x * channels, y * stride + x * channels + 3),
    };
}
//# sourceMappingURL=png.js.map