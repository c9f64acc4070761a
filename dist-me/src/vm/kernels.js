// The kernels the VM runner boots, with the modules each needs loaded before
// the host root can be mounted over virtio-9p.
import { nodeHost } from "../host/host.js";
import { testKernel } from "../kernel/testkernel.js";
import { debianKernel, newestRelease } from "../kernel/debian.js";
import { moduleClosure } from "./initramfs.js";
/** The test kernel, or a Debian kernel: `release`, else the archive's newest 6.1. */
export async function guestKernel(name, release, host = nodeHost) {
    if (name === "test") {
        // Built with virtio-pci and 9p in; `kpatch-dev prepare` builds it.
        const k = await testKernel({ build: false }, host);
        return { name, release: k.release, image: k.bzImage, modules: [] };
    }
    const k = await debianKernel(release ?? (await newestRelease("6.1", "amd64", host)), undefined, host);
    return {
        name,
        release: k.release,
        image: k.vmlinuz,
        modules: moduleClosure(k.modulesDir, ["virtio_pci", "9pnet_virtio", "9p"], host),
    };
}
//# sourceMappingURL=kernels.js.map