"""ImageNet-style training in the style of pytorch/examples' imagenet, on a tiny image folder.

Writes 3 classes of small PNGs (red-, green- and blue-dominated noise textures) into a temporary
ImageFolder tree (root/train/<class>/*.png, root/val/...), then trains models.resnet18(num_classes=3)
with the example's transforms, SGD with momentum and weight decay, StepLR, the top-k accuracy and
AverageMeter, and saves a checkpoint with torch.save. Prints a JSON line of metrics.
"""
import argparse
import json
import os
import shutil
import tempfile

import numpy as np
import torch
import torch.nn as nn
import torch.optim
import torch.utils.data
import torchvision.datasets as datasets
import torchvision.models as models
import torchvision.transforms as transforms
from PIL import Image
from torch.optim.lr_scheduler import StepLR

parser = argparse.ArgumentParser(description="resnet18 on a generated image folder")
parser.add_argument("--epochs", default=4, type=int)
parser.add_argument("-b", "--batch-size", default=12, type=int)
parser.add_argument("--lr", default=0.01, type=float)
parser.add_argument("--momentum", default=0.9, type=float)
parser.add_argument("--wd", "--weight-decay", default=1e-4, type=float, dest="weight_decay")
parser.add_argument("--seed", default=0, type=int)
parser.add_argument("--per-class", default=12, type=int, help="training images per class")
args = parser.parse_args()
torch.manual_seed(args.seed)
device = torch.device("cpu")


def write_image_folder(root, rng):
    """root/{train,val}/{red,green,blue}/*.png: 20x20 RGB noise with one channel brighter."""
    for split, n in (("train", args.per_class), ("val", 4)):
        for c, name in enumerate(("red", "green", "blue")):
            os.makedirs(os.path.join(root, split, name))
            for i in range(n):
                pixels = rng.integers(0, 140, (20, 20, 3))
                pixels[..., c] += 100
                Image.fromarray(pixels.astype(np.uint8)).save(os.path.join(root, split, name, f"{i}.png"))


class AverageMeter:
    """Computes and stores the average and current value."""

    def __init__(self):
        self.val = self.avg = self.sum = self.count = 0

    def update(self, val, n=1):
        self.val = val
        self.sum += val * n
        self.count += n
        self.avg = self.sum / self.count


def accuracy(output, target, topk=(1,)):
    """Computes the accuracy over the k top predictions for the specified values of k."""
    with torch.no_grad():
        maxk = max(topk)
        batch_size = target.size(0)
        _, pred = output.topk(maxk, 1, True, True)
        pred = pred.t()
        correct = pred.eq(target.view(1, -1).expand_as(pred))
        return [correct[:k].reshape(-1).float().sum(0, keepdim=True).mul_(100.0 / batch_size) for k in topk]


def run_epoch(loader, model, criterion, optimizer=None):
    losses, top1, top2 = AverageMeter(), AverageMeter(), AverageMeter()
    model.train(optimizer is not None)
    with torch.set_grad_enabled(optimizer is not None):
        for images, target in loader:
            images, target = images.to(device), target.to(device)
            output = model(images)
            loss = criterion(output, target)
            acc1, acc2 = accuracy(output, target, topk=(1, 2))
            losses.update(loss.item(), images.size(0))
            top1.update(acc1[0].item(), images.size(0))
            top2.update(acc2[0].item(), images.size(0))
            if optimizer is not None:
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
    return losses.avg, top1.avg, top2.avg


root = tempfile.mkdtemp()
try:
    write_image_folder(root, np.random.default_rng(args.seed))
    normalize = transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    train_dataset = datasets.ImageFolder(os.path.join(root, "train"), transforms.Compose([
        transforms.RandomResizedCrop(16, scale=(0.5, 1.0)), transforms.RandomHorizontalFlip(),
        transforms.ToTensor(), normalize]))
    val_dataset = datasets.ImageFolder(os.path.join(root, "val"), transforms.Compose([
        transforms.Resize(18), transforms.CenterCrop(16), transforms.ToTensor(), normalize]))
    train_loader = torch.utils.data.DataLoader(train_dataset, batch_size=args.batch_size, shuffle=True)
    val_loader = torch.utils.data.DataLoader(val_dataset, batch_size=args.batch_size, shuffle=False)

    model = models.resnet18(num_classes=len(train_dataset.classes)).to(device)
    criterion = nn.CrossEntropyLoss().to(device)
    optimizer = torch.optim.SGD(model.parameters(), args.lr, momentum=args.momentum, weight_decay=args.weight_decay)
    scheduler = StepLR(optimizer, step_size=2, gamma=0.1)

    train_losses = []
    for epoch in range(args.epochs):
        train_loss, train_acc1, _ = run_epoch(train_loader, model, criterion, optimizer)
        val_loss, val_acc1, val_acc2 = run_epoch(val_loader, model, criterion)
        scheduler.step()
        train_losses.append(train_loss)
        print(f"epoch {epoch}: train loss {train_loss:.3f} acc@1 {train_acc1:.1f} | val loss {val_loss:.3f} "
              f"acc@1 {val_acc1:.1f} acc@2 {val_acc2:.1f}")
    checkpoint = os.path.join(root, "checkpoint.pth.tar")
    torch.save({"epoch": args.epochs, "arch": "resnet18", "state_dict": model.state_dict(), "best_acc1": val_acc1,
                "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, checkpoint)
    shutil.copyfile(checkpoint, os.path.join(root, "model_best.pth.tar"))
    restored = models.resnet18(num_classes=3)
    restored.load_state_dict(torch.load(os.path.join(root, "model_best.pth.tar"))["state_dict"])
    restored_loss, restored_acc1, _ = run_epoch(val_loader, restored.to(device), criterion)
finally:
    shutil.rmtree(root)
print(json.dumps({"classes": train_dataset.classes, "train_losses": train_losses, "val_loss": val_loss,
                  "val_acc1": val_acc1, "val_acc2": val_acc2, "restored_val_acc1": restored_acc1}))
