"""Variational autoencoder in the style of pytorch/examples' vae.

An MLP encoder to a Gaussian posterior, the reparameterisation trick, an MLP decoder to Bernoulli
pixels; loss = binary cross-entropy (summed) + KL divergence. The data are MNIST-like 12x12
binary strokes (a few prototypes, jittered, with flipped pixels) made with NumPy, so every run
sees the same images. Prints a JSON line of metrics.
"""
import argparse
import json

import numpy as np
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F

from shared_init import shared_init

parser = argparse.ArgumentParser(description="VAE on synthetic strokes")
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--epochs", type=int, default=4)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--hidden", type=int, default=64)
parser.add_argument("--latent", type=int, default=4)
parser.add_argument("--init-weights", type=str, default=None, help=".npz of initial weights (read, or written)")
parser.add_argument("--save-images", type=str, default=None, help="folder for a reconstruction grid (PNG)")
args = parser.parse_args()

torch.manual_seed(args.seed)
device = torch.device("cpu")
SIDE = 12


def make_strokes(n, rng):
    """n images (n, 1, SIDE, SIDE) in {0, 1}: one of four strokes, shifted, with 3% of pixels flipped."""
    images = np.zeros((n, 1, SIDE, SIDE), dtype=np.float32)
    for i in range(n):
        kind, shift = rng.integers(4), rng.integers(-2, 3)
        img = images[i, 0]
        c = SIDE // 2 + shift
        if kind == 0:
            img[:, c] = 1
        elif kind == 1:
            img[c, :] = 1
        elif kind == 2:
            np.fill_diagonal(img, 1)
        else:
            img[2:-2, 2] = img[2:-2, -3] = img[2, 2:-2] = img[-3, 2:-2] = 1
    flips = rng.random(images.shape) < 0.03
    return np.where(flips, 1 - images, images).astype(np.float32)


rng = np.random.default_rng(args.seed)
train_set = torch.utils.data.TensorDataset(torch.from_numpy(make_strokes(512, rng)))
test_set = torch.utils.data.TensorDataset(torch.from_numpy(make_strokes(128, rng)))
train_loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
test_loader = torch.utils.data.DataLoader(test_set, batch_size=args.batch_size, shuffle=False)
PIXELS = SIDE * SIDE


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(PIXELS, args.hidden)
        self.fc21 = nn.Linear(args.hidden, args.latent)
        self.fc22 = nn.Linear(args.hidden, args.latent)
        self.fc3 = nn.Linear(args.latent, args.hidden)
        self.fc4 = nn.Linear(args.hidden, PIXELS)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, PIXELS))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = VAE().to(device)
shared_init(model, args.init_weights)
optimizer = optim.Adam(model.parameters(), lr=1e-2)


def loss_function(recon_x, x, mu, logvar):
    """Reconstruction + KL divergence losses summed over all elements and batch."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, PIXELS), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def train(epoch):
    model.train()
    train_loss = 0
    for data, in train_loader:
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
    return train_loss / len(train_loader.dataset)


def test(epoch):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data,) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0 and args.save_images:
                from torchvision.utils import save_image
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n], recon_batch.view(-1, 1, SIDE, SIDE)[:n]])
                saved_images.append(f"{args.save_images}/reconstruction_{epoch}.png")
                save_image(comparison.cpu(), saved_images[-1], nrow=n)
    return test_loss / len(test_loader.dataset)


saved_images = []
initial_test_loss = test(0)
train_losses = []
for epoch in range(1, args.epochs + 1):
    train_losses.append(train(epoch))
    test_loss = test(epoch)
    print(f"====> Epoch: {epoch} Average loss: {train_losses[-1]:.4f}  Test set loss: {test_loss:.4f}")
with torch.no_grad():
    sample = model.decode(torch.randn(16, args.latent, device=device)).cpu()
print(json.dumps({"initial_test_loss": initial_test_loss, "train_losses": train_losses, "test_loss": test_loss,
                  "sample_mean": sample.mean().item(), "saved_images": saved_images}))
