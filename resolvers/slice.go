package resolvers

import (
	"context"

	"github.com/faregraph/faregraph/graph/model"
	"github.com/faregraph/faregraph/providers"
)

func (r *sliceResolver) Origin(_ context.Context, obj *providers.Slice) (*model.Airport, error) {
	return &model.Airport{IataCode: obj.Origin()}, nil
}

func (r *sliceResolver) Destination(_ context.Context, obj *providers.Slice) (*model.Airport, error) {
	return &model.Airport{IataCode: obj.Destination()}, nil
}

func (r *sliceResolver) DurationMinutes(_ context.Context, obj *providers.Slice) (int, error) {
	return int(obj.Duration().Minutes()), nil
}

func (r *segmentResolver) Origin(_ context.Context, obj *providers.Segment) (*model.Airport, error) {
	return &model.Airport{IataCode: obj.Origin}, nil
}

func (r *segmentResolver) Destination(_ context.Context, obj *providers.Segment) (*model.Airport, error) {
	return &model.Airport{IataCode: obj.Destination}, nil
}

func (r *segmentResolver) DurationMinutes(_ context.Context, obj *providers.Segment) (int, error) {
	return int(obj.ArrivalAt.Sub(obj.DepartureAt).Minutes()), nil
}
