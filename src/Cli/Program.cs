using System.CommandLine;
using BnNative.Cli;

var root = new RootCommand("bnnative: batch normalization over native BLAS (tensorpack's BatchNorm for .NET).");
root.Subcommands.Add(InfoCommand.Create());
return root.Parse(args).Invoke();
