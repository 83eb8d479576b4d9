"""The difficulty radar on a QPolarChart: performance over the bank's difficulty, with gaps where there is no data."""

from __future__ import annotations

import html
import math

from PySide6.QtCharts import (
    QAreaSeries,
    QCategoryAxis,
    QChart,
    QChartView,
    QLegend,
    QLineSeries,
    QPolarChart,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QEvent, QMargins, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPalette, QPen
from PySide6.QtWidgets import QToolTip, QWidget

from mockloop.engine.progress.radar import Radar
from mockloop.ui.radar.parts import axis_summary
from mockloop.ui.common import qt_fixes, theme  # noqa: F401 (qt_fixes: PySide6 reference-count bugs)

RINGS = 5  # 0, 25, 50, 75, 100
HOVER_REACH = 1.3  # the pointer counts as "on an axis" up to this far past the 100 ring (the labels)
FILL_ALPHA = 70


def radar_colours(palette: QPalette) -> dict[str, QColor]:
    """The chart's colours from the palette, so light and dark themes both read well."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return {
        "background": window,
        "text": text,
        "muted": palette.color(QPalette.ColorRole.PlaceholderText),
        "grid": theme.blend(window, text, 0.18),
        "performance": palette.color(QPalette.ColorRole.Highlight),
        # Orange pulled towards the text colour: darker on light themes, lighter on dark ones.
        "difficulty": theme.blend(theme.WARNING_HUE, text, 0.2),
    }


def runs(values: list[float | None]) -> list[list[int]]:
    """Angular positions of the polylines joining neighbouring axes that both have a value.

    Position n is axis 0 again (the angular axis runs 0..n), so the polygon can close.
    """
    n = len(values)
    out: list[list[int]] = []
    current: list[int] = []
    for i in range(n):
        if values[i] is not None and values[(i + 1) % n] is not None and n > 1:
            if not current:
                current = [i]
            current.append(i + 1)
        elif current:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def axis_label(name: str, performance: float | None, answers: int) -> str:
    """The rich-text label of an axis: its name, then its score or "no data"."""
    if performance is None:
        return f"{html.escape(name)}<br><i>no data</i>"
    return f"{html.escape(name)}<br>{performance:.0f} · n={answers}"


class RadarChart(QChartView):
    """Draws one `Radar`; says which axis the pointer is near so the view can list its answers."""

    axis_hovered = Signal(int)  # axis index near the pointer; -1 when it leaves
    axis_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        self._chart = QPolarChart()
        super().__init__(self._chart, parent)
        self.radar: Radar | None = None
        self._hovered = -1
        self._highlighted = -1
        self._points: QScatterSeries | None = None
        self._difficulty: QLineSeries | None = None  # closed outline, for reading back the values
        self._highlight: QLineSeries | None = None
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setAccessibleName("Difficulty radar chart")
        self.setMouseTracking(True)
        self.viewport().setMouseTracking(True)
        em = self.fontMetrics().height()
        self.setMinimumSize(em * 22, em * 20)

        chart = self._chart
        chart.setBackgroundRoundness(0)
        chart.setMargins(QMargins(0, 0, 0, 0))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        chart.legend().setMarkerShape(QLegend.MarkerShape.MarkerShapeFromSeries)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self._angular = QCategoryAxis()
        self._angular.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
        self._radial = QValueAxis()
        self._radial.setRange(0, 100)
        self._radial.setTickCount(RINGS)
        self._radial.setLabelFormat("%d")
        chart.addAxis(self._angular, QPolarChart.PolarOrientation.PolarOrientationAngular)
        chart.addAxis(self._radial, QPolarChart.PolarOrientation.PolarOrientationRadial)
        self.show_radar(None)

    # ---- drawing -----------------------------------------------------------------------------------

    def show_radar(self, radar: Radar | None) -> None:
        """Draw `radar` (None: an empty chart)."""
        self.radar = radar
        self._hovered = self._highlighted = -1
        self._chart.removeAllSeries()  # deletes them
        self._points = self._difficulty = self._highlight = None
        self._legend: list[str] = []
        axes = list(radar.axes) if radar is not None else []
        n = max(1, len(axes))
        for label in list(self._angular.categoriesLabels()):
            self._angular.remove(label)
        self._angular.setRange(0, n)
        self._angular.setStartValue(0)
        for index, axis in enumerate(axes):
            self._angular.append(axis_label(axis.name, axis.performance, axis.answers), index)
        colours = radar_colours(self.palette())
        em = self.fontMetrics().height()
        width = max(2.0, em / 7)

        # The chosen axis's spoke goes first, so the polygons and points are drawn over it.
        self._highlight = QLineSeries()
        self._highlight.setPen(QPen(theme.blend(colours["background"], colours["text"], 0.6), width * 1.5))
        self._attach(self._highlight, legend=False)

        difficulty = [a.difficulty_pct for a in axes]
        performance = [a.performance for a in axes]
        self._add_polygon(difficulty, colours["difficulty"], width, Qt.PenStyle.DashLine, "Topic difficulty")
        self._difficulty = self._outline(difficulty)
        self._add_polygon(performance, colours["performance"], width, Qt.PenStyle.SolidLine, None)

        points = QScatterSeries()
        points.setName("Your performance")
        points.setMarkerSize(em * 0.6)
        points.setColor(colours["performance"])
        points.setBorderColor(colours["background"])
        for index, value in enumerate(performance):
            if value is not None:
                points.append(index, value)
        self._attach(points, legend=True)
        self._points = points

        gap_pen = QPen(colours["muted"], width, Qt.PenStyle.DotLine)
        first_gap = True
        for index, value in enumerate(performance):
            if value is None:
                spoke = self._spoke(index, gap_pen)
                spoke.setName("No answers yet")
                self._attach(spoke, legend=first_gap)
                first_gap = False

        self.apply_palette()

    def _add_polygon(self, values: list[float | None], colour: QColor, width: float, style: Qt.PenStyle,
                     name: str | None) -> None:
        pen = QPen(colour, width, style)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if values and all(v is not None for v in values):
            # A closed polygon gets a fill (from the centre); an open one only its lines.
            upper = self._line([(i, values[i % len(values)]) for i in range(len(values) + 1)])
            area = QAreaSeries(upper)
            upper.setParent(area)  # freed with the area when the chart removes it
            fill = QColor(colour)
            fill.setAlpha(FILL_ALPHA)
            area.setBrush(QBrush(fill))
            area.setPen(QPen(Qt.PenStyle.NoPen))
            self._attach(area, legend=False)
        for positions in runs(values):
            line = self._line([(p, values[p % len(values)]) for p in positions])
            line.setPen(pen)
            if name:
                line.setName(name)
            self._attach(line, legend=bool(name))
            name = None  # one legend entry per polygon

    def _outline(self, values: list[float | None]) -> QLineSeries:
        """An invisible series holding one point per axis that has a value (what the tests and tooltips read)."""
        outline = self._line([(i, v) for i, v in enumerate(values) if v is not None])
        outline.setPen(QPen(Qt.PenStyle.NoPen))
        self._attach(outline, legend=False)
        return outline

    def _spoke(self, index: int, pen: QPen) -> QLineSeries:
        spoke = self._line([(index, 0.0), (index, 100.0)])
        spoke.setPen(pen)
        return spoke

    @staticmethod
    def _line(points: list[tuple[float, float | None]]) -> QLineSeries:
        line = QLineSeries()
        for x, y in points:
            line.append(float(x), float(y))
        return line

    def _attach(self, series, *, legend: bool) -> None:
        self._chart.addSeries(series)
        series.attachAxis(self._angular)
        series.attachAxis(self._radial)
        for marker in self._chart.legend().markers(series):
            marker.setVisible(legend)
        if legend:
            self._legend.append(series.name())

    def apply_palette(self) -> None:
        colours = radar_colours(self.palette())
        chart = self._chart
        chart.setBackgroundBrush(QBrush(colours["background"]))
        chart.setPlotAreaBackgroundVisible(False)
        chart.legend().setLabelColor(colours["text"])
        chart.legend().setFont(self.font())
        for axis in (self._angular, self._radial):
            axis.setLabelsColor(colours["text"] if axis is self._angular else colours["muted"])
            axis.setGridLineColor(colours["grid"])
            axis.setLinePenColor(colours["grid"])
            axis.setLabelsFont(theme.scaled_font(self, 0.95 if axis is self._angular else 0.8))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            highlighted = self._highlighted
            self.show_radar(self.radar)  # series colours too
            self.highlight_axis(highlighted)

    # ---- what is drawn (read back from the series) --------------------------------------------------

    def performance_values(self) -> dict[str, float | None]:
        """Axis id -> the performance point drawn on it (None: no point, the axis shows "no data")."""
        return self._values(self._points)

    def difficulty_values(self) -> dict[str, float | None]:
        return self._values(self._difficulty)

    def gap_axes(self) -> list[str]:
        """Ids of the axes drawn as a dotted "no answers" spoke."""
        if self.radar is None:
            return []
        spokes = [s for s in self._chart.series() if isinstance(s, QLineSeries) and s.name() == "No answers yet"]
        return [self.radar.axes[round(s.at(0).x())].id for s in spokes]

    def axis_labels(self) -> list[str]:
        return list(self._angular.categoriesLabels())

    def legend_names(self) -> list[str]:
        """The legend's entries (the markers' own visibility updates only when the scene is next drawn)."""
        return list(self._legend)

    def _values(self, series: QLineSeries | None) -> dict[str, float | None]:
        if self.radar is None:
            return {}
        out: dict[str, float | None] = {a.id: None for a in self.radar.axes}
        for point in series.points() if series is not None else []:
            out[self.radar.axes[round(point.x())].id] = point.y()
        return out

    # ---- pointer -----------------------------------------------------------------------------------

    def axis_point(self, index: int, value: float = 100.0) -> QPoint:
        """Where the chart draws `value` on axis `index`, in viewport coordinates."""
        chart_pos = self._chart.mapToPosition(QPointF(index, value), self._highlight)
        return self.mapFromScene(self._chart.mapToScene(chart_pos))

    def axis_at(self, pos: QPointF) -> int:
        """The axis nearest a viewport position, or -1 outside the radar (and its labels)."""
        if self.radar is None or not self.radar.axes or self._highlight is None:
            return -1
        chart_pos = self._chart.mapFromScene(self.mapToScene(pos.toPoint()))
        value = self._chart.mapToValue(chart_pos, self._highlight)
        centre = self._chart.plotArea().center()
        radius = min(self._chart.plotArea().width(), self._chart.plotArea().height()) / 2
        distance = math.hypot(chart_pos.x() - centre.x(), chart_pos.y() - centre.y())
        if radius <= 0 or distance > radius * HOVER_REACH:
            return -1
        return round(value.x()) % len(self.radar.axes)

    def highlight_axis(self, index: int) -> None:
        """Draw a solid spoke along axis `index` (-1: none)."""
        if self._highlight is None or index == self._highlighted:
            return
        self._highlighted = index
        self._highlight.clear()
        if index >= 0:
            self._highlight.append(float(index), 0.0)
            self._highlight.append(float(index), 100.0)

    def tooltip_text(self, index: int) -> str:
        return axis_summary(self.radar.axes[index])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        super().mouseMoveEvent(event)
        index = self.axis_at(event.position())
        if index != self._hovered:
            self._hovered = index
            if index >= 0:
                QToolTip.showText(event.globalPosition().toPoint(), self.tooltip_text(index), self)
            else:
                QToolTip.hideText()
            self.axis_hovered.emit(index)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        super().mouseReleaseEvent(event)
        index = self.axis_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and index >= 0:
            self.axis_clicked.emit(index)

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().leaveEvent(event)
        if self._hovered != -1:
            self._hovered = -1
            self.axis_hovered.emit(-1)
