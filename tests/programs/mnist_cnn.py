"""The CNN of pytorch/examples' mnist: two convolutions, max pooling, Dropout, two Linear layers,
log_softmax and nll_loss, Adadelta with StepLR, the device picked with torch.accelerator.

Trains on a small slice of MNIST (--data ROOT holding MNIST/raw/*-ubyte) or, without data, on
FakeData. Prints a JSON line: the test loss before training (equal across libraries given the same
initial weights, --init-weights), each epoch's mean training loss, the final test loss and accuracy.
"""
import argparse
import json

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR
from torchvision import datasets, transforms

from shared_init import shared_init


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = self.dropout2(x)
        x = self.fc2(x)
        return F.log_softmax(x, dim=1)


def train(args, model, device, train_loader, optimizer, epoch):
    model.train()
    total = 0.0
    for batch_idx, (data, target) in enumerate(train_loader):
        data, target = data.to(device), target.to(device)
        optimizer.zero_grad()
        output = model(data)
        loss = F.nll_loss(output, target)
        loss.backward()
        optimizer.step()
        total += loss.item()
    return total / len(train_loader)


def test(model, device, test_loader):
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for data, target in test_loader:
            data, target = data.to(device), target.to(device)
            output = model(data)
            test_loss += F.nll_loss(output, target, reduction="sum").item()
            pred = output.argmax(dim=1, keepdim=True)
            correct += pred.eq(target.view_as(pred)).sum().item()
    test_loss /= len(test_loader.dataset)
    print(f"Test set: Average loss: {test_loss:.4f}, Accuracy: {correct}/{len(test_loader.dataset)} "
          f"({100. * correct / len(test_loader.dataset):.0f}%)")
    return test_loss, correct / len(test_loader.dataset)


def main():
    parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--test-batch-size", type=int, default=300)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--gamma", type=float, default=0.7)
    parser.add_argument("--no-accel", action="store_true", help="disables accelerator")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data", type=str, default=None, help="root holding MNIST/raw; FakeData without it")
    parser.add_argument("--train-size", type=int, default=640)
    parser.add_argument("--test-size", type=int, default=300)
    parser.add_argument("--init-weights", type=str, default=None, help=".npz of initial weights (read, or written)")
    args = parser.parse_args()

    use_accel = not args.no_accel and torch.accelerator.is_available()
    torch.manual_seed(args.seed)
    device = torch.accelerator.current_accelerator() if use_accel else torch.device("cpu")

    transform = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    if args.data:
        dataset1 = datasets.MNIST(args.data, train=True, download=False, transform=transform)
        dataset2 = datasets.MNIST(args.data, train=False, download=False, transform=transform)
    else:
        dataset1 = datasets.FakeData(args.train_size, (1, 28, 28), 10, transform=transform)
        dataset2 = datasets.FakeData(args.test_size, (1, 28, 28), 10, transform=transform, random_offset=1)
    dataset1 = torch.utils.data.Subset(dataset1, range(args.train_size))
    dataset2 = torch.utils.data.Subset(dataset2, range(args.test_size))
    train_loader = torch.utils.data.DataLoader(dataset1, batch_size=args.batch_size, shuffle=True)
    test_loader = torch.utils.data.DataLoader(dataset2, batch_size=args.test_batch_size)

    model = Net().to(device)
    shared_init(model, args.init_weights)
    optimizer = optim.Adadelta(model.parameters(), lr=args.lr)
    initial_test_loss, _ = test(model, device, test_loader)

    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    train_losses = []
    for epoch in range(1, args.epochs + 1):
        train_losses.append(train(args, model, device, train_loader, optimizer, epoch))
        test_loss, accuracy = test(model, device, test_loader)
        scheduler.step()
    print(json.dumps({"device": str(device), "initial_test_loss": initial_test_loss, "train_losses": train_losses,
                      "test_loss": test_loss, "accuracy": accuracy}))


if __name__ == "__main__":
    main()
