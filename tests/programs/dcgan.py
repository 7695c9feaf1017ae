"""DCGAN in the style of pytorch/examples' dcgan, shrunk to 16x16 grayscale images.

Generator: ConvTranspose2d stack with BatchNorm and ReLU, Tanh out; discriminator: Conv2d stack
with LeakyReLU, Sigmoid out; BCELoss, Adam(betas=(0.5, 0.999)), the example's weights_init.
Real images are bright discs of varying size and place on a dark background (made with NumPy).
Prints a JSON line: the last losses, D(x), D(G(z)), and how far the fakes' mean brightness is
from the real images' (which training should shrink).
"""
import argparse
import json

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
import torch.utils.data

parser = argparse.ArgumentParser(description="DCGAN on synthetic discs")
parser.add_argument("--batchSize", type=int, default=32)
parser.add_argument("--nimages", type=int, default=256, help="real images in the data set")
parser.add_argument("--nz", type=int, default=8, help="size of the latent z vector")
parser.add_argument("--ngf", type=int, default=16)
parser.add_argument("--ndf", type=int, default=16)
parser.add_argument("--niter", type=int, default=3, help="number of epochs to train for")
parser.add_argument("--lr", type=float, default=0.002)
parser.add_argument("--beta1", type=float, default=0.5)
parser.add_argument("--manualSeed", type=int, default=999)
parser.add_argument("--outf", default=None, help="folder to output images")
opt = parser.parse_args()

torch.manual_seed(opt.manualSeed)
device = torch.device("cpu")
nz, ngf, ndf, nc = opt.nz, opt.ngf, opt.ndf, 1


def make_discs(n, rng, side=16):
    yy, xx = np.mgrid[:side, :side]
    cy, cx = rng.uniform(5, side - 5, (2, n, 1, 1))
    r = rng.uniform(2.5, 4.5, (n, 1, 1))
    discs = ((yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2).astype(np.float32)
    return discs[:, None] * 2 - 1  # in [-1, 1], as Normalize((0.5,), (0.5,)) gives


real_images = torch.from_numpy(make_discs(opt.nimages, np.random.default_rng(opt.manualSeed)))
dataloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(real_images), batch_size=opt.batchSize,
                                         shuffle=True, drop_last=True)


def weights_init(m):
    classname = m.__class__.__name__
    if classname.find("Conv") != -1:
        torch.nn.init.normal_(m.weight, 0.0, 0.02)
    elif classname.find("BatchNorm") != -1:
        torch.nn.init.normal_(m.weight, 1.0, 0.02)
        torch.nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.ConvTranspose2d(nz, ngf * 2, 4, 1, 0, bias=False),  # 4x4
            nn.BatchNorm2d(ngf * 2),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf * 2, ngf, 4, 2, 1, bias=False),  # 8x8
            nn.BatchNorm2d(ngf),
            nn.ReLU(True),
            nn.ConvTranspose2d(ngf, nc, 4, 2, 1, bias=False),  # 16x16
            nn.Tanh(),
        )

    def forward(self, input):
        return self.main(input)


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = nn.Sequential(
            nn.Conv2d(nc, ndf, 4, 2, 1, bias=False),  # 8x8
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf, ndf * 2, 4, 2, 1, bias=False),  # 4x4
            nn.BatchNorm2d(ndf * 2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(ndf * 2, 1, 4, 1, 0, bias=False),  # 1x1
            nn.Sigmoid(),
        )

    def forward(self, input):
        return self.main(input).view(-1, 1).squeeze(1)


netG = Generator().to(device)
netG.apply(weights_init)
netD = Discriminator().to(device)
netD.apply(weights_init)

criterion = nn.BCELoss()
fixed_noise = torch.randn(64, nz, 1, 1, device=device)
real_label, fake_label = 1, 0
optimizerD = optim.Adam(netD.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))
optimizerG = optim.Adam(netG.parameters(), lr=opt.lr, betas=(opt.beta1, 0.999))


def mean_gap():
    """|mean brightness of fixed fakes - mean brightness of the real images|."""
    with torch.no_grad():
        netG.eval()
        fake = netG(fixed_noise)
        netG.train()
    return abs(fake.mean().item() - real_images.mean().item())


initial_gap = mean_gap()
for epoch in range(opt.niter):
    for i, (data,) in enumerate(dataloader):
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        real_cpu = data.to(device)
        batch_size = real_cpu.size(0)
        label = torch.full((batch_size,), real_label, dtype=real_cpu.dtype, device=device)
        output = netD(real_cpu)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()

        noise = torch.randn(batch_size, nz, 1, 1, device=device)
        fake = netG(noise)
        label.fill_(fake_label)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()

        # (2) Update G network: maximize log(D(G(z)))
        netG.zero_grad()
        label.fill_(real_label)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        optimizerG.step()
    print(f"[{epoch}/{opt.niter}] Loss_D: {errD.item():.4f} Loss_G: {errG.item():.4f} D(x): {D_x:.4f} "
          f"D(G(z)): {D_G_z1:.4f} / {D_G_z2:.4f}")
    if opt.outf:
        import torchvision.utils as vutils
        vutils.save_image(real_cpu, f"{opt.outf}/real_samples.png", normalize=True)
        vutils.save_image(netG(fixed_noise).detach(), f"{opt.outf}/fake_samples_epoch_{epoch:03d}.png",
                          normalize=True)
print(json.dumps({"loss_D": errD.item(), "loss_G": errG.item(), "D_x": D_x, "D_G_z": D_G_z2,
                  "initial_mean_gap": initial_gap, "mean_gap": mean_gap()}))
