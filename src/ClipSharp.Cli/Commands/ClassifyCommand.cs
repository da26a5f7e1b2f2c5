using System.CommandLine;
using System.Globalization;
using ClipSharp.Evaluation;
using ClipSharp.Modeling;
using ClipSharp.Text;
using ClipSharp.ZeroShot;
using Spectre.Console;
using ClipSharp.Loading;

namespace ClipSharp.Cli.Commands;

/// <summary><c>clip classify --model M --class C… IMAGE…</c>: zero-shot probabilities of each image.</summary>
static class ClassifyCommand
{
    public static Command Create(CliContext context)
    {
        var model = CommonOptions.Model();
        var dtype = CommonOptions.DType();
        var classes = new Option<string[]>("--class", "-c") { Description = "A class name (repeat for each class; at least two)", Required = true };
        var templates = new Option<string[]>("--template", "-t") { Description = "A prompt template with {} for the class (repeat to ensemble); default {}" };
        var images = new Argument<string[]>("images") { Description = "Images to classify", Arity = ArgumentArity.OneOrMore };
        var vocab = CommonOptions.Vocab();
        var command = new Command("classify", "Zero-shot classify images: a table of class probabilities and the prediction") { model, dtype, classes, templates, images, vocab };
        command.SetAction(parse =>
        {
            var prompts = PromptSet.Create(parse.GetValue(classes)!, parse.GetValue(templates));
            using var clip = ClipModel.Load(parse.GetValue(model)!, progress: context.DownloadProgress(), imageDType: CommonOptions.ScalarTypeOf(parse.GetValue(dtype)!));
            using var classifier = ZeroShotClassifier.Create(clip, prompts, ClipTokenizer.Load(parse.GetValue(vocab)));
            var paths = parse.GetValue(images)!;
            using var features = new Evaluator(clip).ImageFeatures(paths);
            var similarity = classifier.Similarity(features, [.. paths.Select(Path.GetFileName)!]);
            var probabilities = similarity.Probabilities;
            var predicted = similarity.ArgMax();

            var table = new Table().AddColumn("image");
            foreach (var c in prompts.Classes) table.AddColumn(new TableColumn(Markup.Escape($"p({c})")).RightAligned());
            table.AddColumn("prediction");
            for (int i = 0; i < paths.Length; i++)
                table.AddRow([Markup.Escape(similarity.RowLabels[i]),
                    .. Enumerable.Range(0, prompts.Classes.Count).Select(c => probabilities[i, c].ToString("F4", CultureInfo.InvariantCulture)),
                    Markup.Escape(prompts.Classes[predicted[i]])]);
            context.Console().Write(table);
            return 0;
        });
        return command;
    }
}
