using ClipSharp.Datasets;
using ClipSharp.Evaluation;

namespace ClipSharp.Tests.Datasets;

/// <summary>kaggle.json as the official client writes it becomes HTTP Basic; a broken one is an error naming
/// it.</summary>
public sealed class KaggleCredentialsTests : TempFolderTest
{
    string Json => Path.Combine(Dir, "kaggle.json");

    [Fact]
    public void A_kaggle_json_becomes_basic_authentication()
    {
        File.WriteAllText(Json, """{"username": "ada", "key": "0123abcd"}""");
        var credentials = KaggleCredentials.FromJson(Json);
        Assert.Equal("Basic", credentials.Header.Scheme);
        byte[] decoded = Convert.FromBase64String(credentials.Header.Parameter!);
        Assert.Equal("ada:0123abcd", System.Text.Encoding.UTF8.GetString(decoded));
        Assert.Equal($"Kaggle credentials from {Json}", credentials.ToString()); // never the key
    }

    [Theory]
    [InlineData("{not json", "is not valid JSON")]
    [InlineData("""{"username": "ada"}""", "lacks the string fields \"username\" and \"key\"")]
    [InlineData("""["ada", "key"]""", "lacks the string fields")]
    [InlineData("""{"username": 1, "key": 2}""", "lacks the string fields")]
    public void A_broken_kaggle_json_is_an_error_naming_it(string content, string why)
    {
        File.WriteAllText(Json, content);
        var e = Assert.Throws<DataSetException>(() => KaggleCredentials.FromJson(Json));
        Assert.StartsWith($"'{Json}' ", e.Message);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void A_huge_kaggle_json_is_not_read()
    {
        File.WriteAllBytes(Json, new byte[1 << 20]);
        var e = Assert.Throws<DataSetException>(() => KaggleCredentials.FromJson(Json));
        Assert.StartsWith($"'{Json}' is ", e.Message);
        Assert.Contains("over the limit", e.Message);
    }

    [Fact]
    public async Task A_fifo_in_place_of_kaggle_json_is_refused_without_blocking()
    {
        File.Delete(Json);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", Json)) mkfifo.WaitForExit();
        var read = Task.Run(() => KaggleCredentials.FromJson(Json));
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30))));
        var e = await Assert.ThrowsAsync<DataSetException>(() => read);
        Assert.Contains("FIFO", e.Message);
    }
}
