package dev.socketgateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * Two grouped bar charts in hand-written SVG: throughput per scenario (linear) and p99 per scenario (log scale,
 * because p99 spans tens of microseconds to tens of milliseconds across scenarios). Every bar carries its value.
 */
final class SvgChart {

	private static final int WIDTH = 980;

	private static final int LEFT = 90;

	private static final int RIGHT = 20;

	private static final int PLOT_HEIGHT = 230;

	private static final int CHART_HEIGHT = 320;

	private static final int HEADER = 100;

	private static final String GATEWAY_COLOR = "#5a9e32";

	private static final String NETTY_COLOR = "#3a6fb0";

	private SvgChart() {
	}

	static String render(List<ScenarioOutcome> outcomes, String machine, String settings) {
		int height = HEADER + 2 * CHART_HEIGHT + 10;
		StringBuilder svg = new StringBuilder();
		svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
				+ "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n", WIDTH,
				height, WIDTH, height));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", WIDTH, height));
		text(svg, 20, 30, "start", "font-size=\"18\" font-weight=\"bold\"",
				"socket-gateway vs raw Netty: uppercase over loopback");
		text(svg, 20, 50, "start", "fill=\"#555\"", machine);
		text(svg, 20, 67, "start", "fill=\"#555\"", settings);
		legend(svg, 20, 85);
		List<String> names = outcomes.stream().map((outcome) -> outcome.scenario().name()).toList();
		chart(svg, HEADER, "Throughput: verified replies per second (higher is better)", names,
				ratios(outcomes, "gateway/netty ", ScenarioOutcome::throughputRatio),
				values(outcomes, (result) -> result.msgsPerSecond()), false, SvgChart::count);
		chart(svg, HEADER + CHART_HEIGHT, "p99 latency, send to last reply byte (lower is better, log scale)", names,
				ratios(outcomes, "gateway/netty ", ScenarioOutcome::p99Ratio),
				values(outcomes, (result) -> (result.p99Micros() > 0) ? result.p99Micros() : 1), true,
				SvgChart::duration);
		svg.append("</svg>\n");
		return svg.toString();
	}

	private static List<String> ratios(List<ScenarioOutcome> outcomes, String prefix,
			ToDoubleFunction<ScenarioOutcome> ratio) {
		return outcomes.stream().map((outcome) -> {
			double value = ratio.applyAsDouble(outcome);
			return Double.isNaN(value) ? "" : prefix + String.format(Locale.ROOT, "%.2f", value);
		}).toList();
	}

	/** Per scenario: {gateway, netty}, NaN where the run failed. */
	private static double[][] values(List<ScenarioOutcome> outcomes, ToDoubleFunction<RunResult> metric) {
		double[][] values = new double[outcomes.size()][];
		for (int i = 0; i < outcomes.size(); i++) {
			RunResult gateway = outcomes.get(i).gateway();
			RunResult netty = outcomes.get(i).netty();
			values[i] = new double[] { gateway.ok() ? metric.applyAsDouble(gateway) : Double.NaN,
					netty.ok() ? metric.applyAsDouble(netty) : Double.NaN };
		}
		return values;
	}

	private static void chart(StringBuilder svg, int top, String title, List<String> names, List<String> notes,
			double[][] values,
			boolean log, DoubleFunction<String> label) {
		text(svg, LEFT, top + 18, "start", "font-size=\"14\" font-weight=\"bold\"", title);
		int plotTop = top + 36;
		int baseline = plotTop + PLOT_HEIGHT;
		int plotWidth = WIDTH - LEFT - RIGHT;
		double min = Double.MAX_VALUE;
		double max = 0;
		for (double[] pair : values) {
			for (double value : pair) {
				if (!Double.isNaN(value)) {
					min = Math.min(min, value);
					max = Math.max(max, value);
				}
			}
		}
		if (max <= 0) {
			min = 1;
			max = 1;
		}
		List<Double> ticks = new ArrayList<>();
		DoubleUnaryOperator position;
		if (log) {
			int low = (int) Math.floor(Math.log10(Math.max(1, min)));
			int high = Math.max(low + 1, (int) Math.ceil(Math.log10(max)));
			for (int decade = low; decade <= high; decade++) {
				ticks.add(Math.pow(10, decade));
			}
			position = (value) -> (Math.log10(Math.max(value, Math.pow(10, low))) - low) / (high - low);
		}
		else {
			double step = niceStep(max / 5);
			double axisMax = Math.ceil(max * 1.1 / step) * step;
			for (double tick = 0; tick <= axisMax + step / 2; tick += step) {
				ticks.add(tick);
			}
			position = (value) -> value / axisMax;
		}
		for (double tick : ticks) {
			double y = baseline - position.applyAsDouble(tick) * PLOT_HEIGHT;
			svg.append(String.format(Locale.ROOT,
					"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e2e2e2\"/>\n", LEFT, y, LEFT + plotWidth,
					y));
			text(svg, LEFT - 8, y + 4, "end", "fill=\"#555\"", label.apply(tick));
		}
		svg.append(String.format(Locale.ROOT,
				"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n", LEFT, baseline, LEFT + plotWidth,
				baseline));
		svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
				LEFT, plotTop, LEFT, baseline));
		double group = (double) plotWidth / Math.max(1, names.size());
		double bar = Math.min(60, group * 0.34);
		for (int i = 0; i < names.size(); i++) {
			double center = LEFT + group * (i + 0.5);
			bar(svg, center - bar - 2, bar, baseline, values[i][0], position, GATEWAY_COLOR, label);
			bar(svg, center + 2, bar, baseline, values[i][1], position, NETTY_COLOR, label);
			text(svg, center, baseline + 18, "middle", "font-weight=\"bold\"", names.get(i));
			text(svg, center, baseline + 33, "middle", "fill=\"#555\" font-size=\"11\"", notes.get(i));
		}
	}

	private static void bar(StringBuilder svg, double x, double width, int baseline, double value,
			DoubleUnaryOperator position, String color, DoubleFunction<String> label) {
		if (Double.isNaN(value)) {
			text(svg, x + width / 2, baseline - 6, "middle", "fill=\"#c0392b\"", "failed");
			return;
		}
		double height = Math.max(1, position.applyAsDouble(value) * PLOT_HEIGHT);
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>\n", x, baseline - height,
				width, height, color));
		text(svg, x + width / 2, baseline - height - 5, "middle", "font-size=\"11\"", label.apply(value));
	}

	private static void legend(StringBuilder svg, int x, int y) {
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>\n", x, y - 11, GATEWAY_COLOR));
		text(svg, x + 20, y, "start", "", "socket-gateway (Spring Integration)");
		svg.append(String.format(Locale.ROOT,
				"<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\"/>\n", x + 260, y - 11, NETTY_COLOR));
		text(svg, x + 280, y, "start", "", "raw Netty (NIO)");
	}

	private static void text(StringBuilder svg, double x, double y, String anchor, String attributes,
			String content) {
		svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" %s>%s</text>\n", x, y,
				anchor, attributes, escape(content)));
	}

	private static double niceStep(double rough) {
		double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-9))));
		for (double factor : new double[] { 1, 2, 5 }) {
			if (factor * magnitude >= rough) {
				return factor * magnitude;
			}
		}
		return 10 * magnitude;
	}

	private static String count(double value) {
		if (value >= 1_000_000) {
			return String.format(Locale.ROOT, "%.2fM", value / 1_000_000).replace(".00M", "M");
		}
		if (value >= 1_000) {
			return String.format(Locale.ROOT, "%.1fk", value / 1_000).replace(".0k", "k");
		}
		return String.format(Locale.ROOT, "%.0f", value);
	}

	private static String duration(double micros) {
		if (micros >= 1_000_000) {
			return String.format(Locale.ROOT, "%.2f s", micros / 1_000_000);
		}
		if (micros >= 1_000) {
			return String.format(Locale.ROOT, (micros >= 10_000) ? "%.0f ms" : "%.1f ms", micros / 1_000);
		}
		return String.format(Locale.ROOT, "%.0f µs", micros);
	}

	private static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

}
