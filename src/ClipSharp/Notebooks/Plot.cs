using Plotly.NET;

namespace ClipSharp.Notebooks;

/// <summary>A Plotly.NET chart that notebooks display as self-contained HTML (see <see cref="ChartFormatter"/>).
/// <see cref="Chart"/> is the Plotly.NET object, for further styling with Plotly.NET itself.</summary>
public sealed record Plot(string Title, GenericChart Chart)
{
    public string ToHtml() => ChartFormatter.ToHtml(Chart);
}
