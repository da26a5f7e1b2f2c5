using Spectre.Console;
using Spectre.Console.Rendering;

namespace ClipSharp.Cli.Rendering;

/// <summary>Spectre.Console progress bars (count, rate, ETA) fed by callbacks from library loops. Spectre's progress
/// owns the thread it renders from, so a session runs on a thread of its own while the work reports into it; the
/// session ends when every bar is full (so later output starts clean) or on <see cref="Stop"/>.</summary>
sealed class LiveProgress(IAnsiConsole console)
{
    /// <summary>The unit of a bar whose values are bytes (shown in MiB).</summary>
    public const string Bytes = "B";

    readonly Lock gate = new();
    readonly List<ProgressTask> tasks = [];
    Thread? thread;
    ProgressContext? session;
    ManualResetEventSlim? stop;

    /// <summary>A bar counting <paramref name="total"/> items.</summary>
    public Action<int> Counter(string what, int total)
    {
        var task = Add(what, total, unit: "");
        return done => Update(task, done);
    }

    /// <summary>A new bar (a maximum of 0: not known yet).</summary>
    public ProgressTask? Add(string description, double max, string unit)
    {
        lock (gate)
        {
            if (session is null) Start();
            if (session is null) return null;
            var task = session.AddTask(Markup.Escape(description), maxValue: Math.Max(max, 1));
            task.IsIndeterminate = max <= 0;
            task.Tag = unit;
            tasks.Add(task);
            return task;
        }
    }

    /// <summary>Moves a bar; a full bar stops, and the session with the last one.</summary>
    public void Update(ProgressTask? task, double value, double? max = null)
    {
        if (task is null) return;
        lock (gate)
        {
            if (max is > 0) { task.MaxValue = max.Value; task.IsIndeterminate = false; }
            task.Value = value;
            if (task.IsIndeterminate || value < task.MaxValue) return;
            task.StopTask();
            if (tasks.All(t => t.IsFinished)) Stop();
        }
    }

    public void Stop()
    {
        lock (gate)
        {
            if (thread is null) return;
            stop!.Set();
            thread.Join();
            (thread, session, stop) = (null, null, null);
            tasks.Clear();
        }
    }

    void Start()
    {
        var ready = new ManualResetEventSlim();
        stop = new ManualResetEventSlim();
        var ending = stop;
        thread = new Thread(() =>
        {
            try
            {
                console.Progress().AutoClear(false).HideCompleted(false)
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                        new CountColumn(), new RateColumn(), new RemainingTimeColumn())
                    .Start(context =>
                    {
                        session = context;
                        ready.Set();
                        ending.Wait();
                    });
            }
            finally { ready.Set(); }
        }) { IsBackground = true, Name = "progress" };
        thread.Start();
        ready.Wait();
    }

    static string Amount(ProgressTask task, double value) => (string?)task.Tag == Bytes
        ? $"{value / 1048576:F1}"
        : $"{value:F0}";

    /// <summary>"40/100" items, or "12.0/244.0 MiB".</summary>
    sealed class CountColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Spectre.Console.Text(task.IsIndeterminate
                ? Amount(task, task.Value) + ((string?)task.Tag == Bytes ? " MiB" : "")
                : $"{Amount(task, task.Value)}/{Amount(task, task.MaxValue)}" +
                    ((string?)task.Tag == Bytes ? " MiB" : ""));
    }

    /// <summary>Items or MiB per second.</summary>
    sealed class RateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Spectre.Console.Text(task.Speed is double speed
                ? $"{Amount(task, speed)}{((string?)task.Tag == Bytes ? " MiB" : "")}/s"
                : "", new Style(Color.Grey));
    }
}
