namespace ClipSharp.Tests.Cli;

/// <summary>Bad option values are refused by the verbs' validators before any work, in one line that names the
/// option and the value (no help dump, no pointer: the line says what to give).</summary>
public class ValidatorTests
{
    [Theory]
    [InlineData("error: --runs must be positive; got 0", "bench", "--runs", "0")]
    [InlineData("error: Batch sizes must be positive; got 1, 0", "bench", "--image-batch", "1", "0")]
    [InlineData("error: --context-length must be at least 2; got 1", "tokenize", "x", "--context-length", "1")]
    [InlineData("error: --limit must be positive; got 0", "evaluate", "--limit", "0")]
    [InlineData("error: --size must be positive; got 0", "preprocess", "a.png", "--size", "0", "-o", "x.safetensors")]
    [InlineData("error: --top must be at least 1; got 0", "search", "-d", ".", "--text", "x", "--top", "0")]
    [InlineData("error: --shots: 'x' is not a positive whole number (give K or a list like 1,2,4,8,16)",
        "probe", "--shots", "x")]
    [InlineData("error: --dtype 'fp64' is not a dtype: give fp32, bf16 or fp16 (float32, bfloat16 and float16 are " +
        "the same)", "classify", "a.png", "--dtype", "fp64")]
    [InlineData("error: --dtype fp16 is not supported by clip classify: give fp32 or bf16",
        "classify", "a.png", "--dtype", "float16")]
    [InlineData("error: --dtype bf16 is not supported by clip convert: give fp32 or fp16",
        "convert", "a.pt", "b.safetensors", "--dtype", "bfloat16")]
    [InlineData("error: --dtype fp16 is not supported by clip bench: give fp32 or bf16", "bench", "--dtype", "fp16")]
    [InlineData("error: Give the query as --text or as --image (one of them)", "search", "-d", ".")]
    [InlineData("error: Nothing to embed: give images, --text or --text-file", "embed", "-o", "x.safetensors")]
    public void A_bad_value_is_one_line_naming_it(string expected, params string[] args)
    {
        var run = CliRunner.Run(args);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(expected, run.Error.Trim());
        Assert.Equal("", run.Output);
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("FP32")]
    [InlineData("bfloat16")]
    public void Dtype_aliases_are_accepted_on_every_verb(string dtype)
    {
        foreach (var verb in new[] { "classify", "embed", "evaluate", "probe", "search", "saliency", "bench" })
        {
            var parse = ClipSharp.Cli.ClipCli.Build(new ClipSharp.Cli.CliContext(TextWriter.Null, TextWriter.Null))
                .Parse([verb, "--dtype", dtype]);
            Assert.DoesNotContain(parse.Errors, e => e.Message.Contains("--dtype"));
        }
    }
}
